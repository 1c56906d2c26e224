package gantry.cli.output;

import gantry.v1.Node;
import gantry.v1.NodeStatus;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Human views of the worker nodes. */
public final class NodeViews {
  private NodeViews() {}

  /**
   * {@code gantry node ls}. CPU in millicores and MEM in MiB are the node's capacity, the units
   * of a job spec's resources, so the two can be compared by eye.
   *
   * @param liveAllocations node id -> allocations holding its resources ({@link AllocationViews#isLive})
   */
  public static void printList(PrintWriter out, List<Node> nodes, Map<String, Long> liveAllocations) {
    if (nodes.isEmpty()) {
      out.println("No nodes registered");
      out.flush();
      return;
    }
    var table = new Table("ID", "NAME", "STATUS", "ELIGIBLE", "DRAIN", "CPU", "MEM", "DRIVERS", "ALLOCS", "CPU%",
        "USED(MiB)");
    for (Node node : nodes.stream().sorted(Comparator.comparing(Node::getName).thenComparing(Node::getId)).toList()) {
      String drivers = node.getDriversCount() == 0 ? "-" : String.join(",", node.getDriversList());
      table.row(AllocationViews.shortId(node.getId()), node.getName(), status(node.getStatus()), node.getEligible(),
          node.getDraining(), node.getCapacity().getCpu(), node.getCapacity().getMemory(), drivers,
          liveAllocations.getOrDefault(node.getId(), 0L), cpu(node), used(node));
    }
    table.print(out);
  }

  // No sample (agent silent for 30 s, or the leader unreachable): "-", since 0 would read as idle.
  static String cpu(Node n) {
    if (!n.hasMetrics() || n.getMetrics().getTimeMs() <= 0) return "-";
    return String.format(Locale.ROOT, "%.1f", n.getMetrics().getCpuPercent());
  }

  static String used(Node n) {
    return n.hasMetrics() && n.getMetrics().getTimeMs() > 0 ? Long.toString(n.getMetrics().getMemoryUsedMb()) : "-";
  }

  public static String status(NodeStatus status) {
    return switch (status) {
      case NODE_STATUS_INITIALIZING -> "initializing";
      case NODE_STATUS_READY -> "ready";
      case NODE_STATUS_DOWN -> "down";
      case NODE_STATUS_DISCONNECTED -> "disconnected";
      case NODE_STATUS_UNSPECIFIED, UNRECOGNIZED -> "unknown";
    };
  }
}
