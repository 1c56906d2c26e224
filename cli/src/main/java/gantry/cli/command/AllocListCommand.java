package gantry.cli.command;

import gantry.cli.output.AllocationViews;
import gantry.v1.ListAllocationsRequest;
import gantry.v1.ListAllocationsResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code gantry alloc ls [--job NAME] [--node NAME]}: the filters are applied by the server; CPU%
 * and MEM come from the leader's live metrics.
 */
@Command(name = "ls", mixinStandardHelpOptions = true, description = "List allocations, optionally of one job or one node.")
public final class AllocListCommand implements Callable<Integer> {
  @Option(names = "--job", paramLabel = "NAME", description = "Only this job's allocations.")
  String job;

  @Option(names = "--node", paramLabel = "NAME", description = "Only the allocations on this node (name or id).")
  String node;

  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    var request = ListAllocationsRequest.newBuilder();
    if (job != null) request.setJob(job);
    if (node != null) request.setNode(node);
    ListAllocationsResponse response;
    try (var control = client.connect()) {
      response = control.call(stub -> stub.listAllocations(request.build()));
      // CPU and memory are not in the replicated state: the leader keeps the agents' latest samples.
      var live = LiveMetricsLookup.fetch(control);
      response = response.toBuilder().clearAllocations()
          .addAllAllocations(LiveMetricsLookup.withMetrics(response.getAllocationsList(), live)).build();
    }
    if (client.json()) {
      client.printJson(response);
    } else {
      AllocationViews.printList(client.out(), response.getAllocationsList());
    }
    return 0;
  }
}
