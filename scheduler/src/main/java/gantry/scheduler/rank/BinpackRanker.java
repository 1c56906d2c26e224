package gantry.scheduler.rank;

import gantry.scheduler.feasible.PlacementContext;

/** Best fit: the node that ends fullest on its scarcest resource scores highest. */
public record BinpackRanker() implements Ranker {
  @Override
  public double score(int node, PlacementContext ctx) {
    return Ranker.utilizationAfter(node, ctx);
  }
}
