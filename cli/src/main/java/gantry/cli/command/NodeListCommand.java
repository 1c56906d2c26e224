package gantry.cli.command;

import gantry.cli.output.AllocationViews;
import gantry.cli.output.NodeViews;
import gantry.v1.Allocation;
import gantry.v1.ListAllocationsRequest;
import gantry.v1.ListNodesRequest;
import gantry.v1.ListNodesResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code gantry node ls}. */
@Command(name = "ls", mixinStandardHelpOptions = true,
    description = {"List the worker nodes: status, capacity (CPU millicores, MEM MiB), drivers and live allocations.",
        "CPU% and USED(MiB) are what the node's running allocations use now, as its agent last reported."})
public final class NodeListCommand implements Callable<Integer> {
  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    try (var control = client.connect()) {
      ListNodesResponse nodes = control.call(stub -> stub.listNodes(ListNodesRequest.getDefaultInstance()));
      var live = LiveMetricsLookup.fetch(control);
      nodes = nodes.toBuilder().clearNodes().addAllNodes(LiveMetricsLookup.nodesWithMetrics(nodes.getNodesList(), live))
          .build();
      if (client.json()) {
        client.printJson(nodes);
        return 0;
      }
      // One call for every node's allocations rather than one per node: a table of 500 nodes
      // should not cost 500 round trips.
      var allocations = control.call(stub -> stub.listAllocations(ListAllocationsRequest.getDefaultInstance()));
      NodeViews.printList(client.out(), nodes.getNodesList(), liveByNode(allocations.getAllocationsList()));
    }
    return 0;
  }

  static Map<String, Long> liveByNode(List<Allocation> allocations) {
    return allocations.stream().filter(AllocationViews::isLive)
        .collect(Collectors.groupingBy(Allocation::getNodeId, Collectors.counting()));
  }
}
