package gantry.scheduler.feasible;

import gantry.v1.Node;
import gantry.v1.NodeStatus;

/** The node is ready, eligible and not draining. */
public record ReadyFilter() implements NodeFilter {
  @Override
  public String reject(int node, PlacementContext ctx) {
    Node n = ctx.snapshot().node(node);
    if (n.getStatus() != NodeStatus.NODE_STATUS_READY) {
      return switch (n.getStatus()) {
        case NODE_STATUS_DOWN -> "node down";
        case NODE_STATUS_DISCONNECTED -> "node disconnected";
        default -> "node not ready";
      };
    }
    if (n.getDraining()) {
      return "node draining";
    }
    if (!n.getEligible()) {
      return "node ineligible";
    }
    return null;
  }

  @Override
  public boolean isStatic() {
    return true;
  }
}
