package gantry.cli.command;

import gantry.client.ControlClient;
import gantry.client.NoManagerReachableException;
import gantry.v1.Allocation;
import gantry.v1.GetLiveMetricsRequest;
import gantry.v1.GetLiveMetricsResponse;
import gantry.v1.Node;
import io.grpc.StatusRuntimeException;
import java.util.List;

/**
 * Fills the metrics fields of listed allocations and nodes from the leader's live view. Best
 * effort: during an election, or against a manager without it, the lists print with "-".
 */
final class LiveMetricsLookup {
  private LiveMetricsLookup() {}

  static GetLiveMetricsResponse fetch(ControlClient control) {
    try {
      return control.callLeader(stub -> stub.getLiveMetrics(GetLiveMetricsRequest.getDefaultInstance()));
    } catch (StatusRuntimeException | NoManagerReachableException e) {
      return GetLiveMetricsResponse.getDefaultInstance();
    }
  }

  static List<Allocation> withMetrics(List<Allocation> allocations, GetLiveMetricsResponse live) {
    return allocations.stream().map(a -> live.containsAllocations(a.getId())
        ? a.toBuilder().setMetrics(live.getAllocationsOrThrow(a.getId())).build() : a).toList();
  }

  static List<Node> nodesWithMetrics(List<Node> nodes, GetLiveMetricsResponse live) {
    return nodes.stream().map(n -> live.containsNodes(n.getId())
        ? n.toBuilder().setMetrics(live.getNodesOrThrow(n.getId())).build() : n).toList();
  }
}
