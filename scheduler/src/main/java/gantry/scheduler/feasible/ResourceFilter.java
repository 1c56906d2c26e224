package gantry.scheduler.feasible;

import gantry.scheduler.NodeFit;

/** CPU and memory of the group fit in what the node has left. */
public record ResourceFilter() implements NodeFilter {
  @Override
  public String reject(int node, PlacementContext ctx) {
    return NodeFit.resources(ctx.ledger().cpuFree(node), ctx.ledger().memFree(node), ctx.ask().cpu(), ctx.ask().memory());
  }

  @Override
  public boolean isStatic() {
    return false;
  }
}
