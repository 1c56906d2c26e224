package gantry.scheduler.feasible;

import gantry.scheduler.NodeFit;

/** The node is ready, eligible and not draining. */
public record ReadyFilter() implements NodeFilter {
  @Override
  public String reject(int node, PlacementContext ctx) {
    return NodeFit.unschedulable(ctx.snapshot().node(node));
  }

  @Override
  public boolean isStatic() {
    return true;
  }
}
