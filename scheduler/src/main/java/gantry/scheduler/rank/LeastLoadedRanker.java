package gantry.scheduler.rank;

import gantry.scheduler.feasible.PlacementContext;

/** {@code placement: spread}: the node that ends least loaded scores highest. */
public record LeastLoadedRanker() implements Ranker {
  @Override
  public double score(int node, PlacementContext ctx) {
    return 1.0 - Ranker.utilizationAfter(node, ctx);
  }
}
