package gantry.scheduler.rank;

import gantry.scheduler.feasible.PlacementContext;

/**
 * Penalizes nodes already running the group: {@code -collisions / desiredCount}, so with few
 * replicas they spread out, and with many, binpack still fills nodes.
 */
public record AntiAffinityScorer() {
  public double score(int node, PlacementContext ctx) {
    int c = ctx.collisions(node);
    return c == 0 ? 0 : -(double) c / Math.max(1, ctx.desiredCount());
  }
}
