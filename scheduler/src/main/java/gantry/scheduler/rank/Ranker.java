package gantry.scheduler.rank;

import gantry.scheduler.feasible.PlacementContext;

/**
 * The group's placement policy as a fitness in [0, 1] of putting one more allocation on a
 * node, computed on the usage after the placement.
 */
public sealed interface Ranker permits BinpackRanker, LeastLoadedRanker {
  double score(int node, PlacementContext ctx);

  /** {@code placement: binpack} (the default) or {@code spread}. */
  static Ranker of(String placement) {
    return "spread".equals(placement) ? new LeastLoadedRanker() : new BinpackRanker();
  }

  /** Utilization of the scarcest resource after adding the ask: max(cpu, memory) in [0, 1]. */
  static double utilizationAfter(int node, PlacementContext ctx) {
    var ledger = ctx.ledger();
    double cpu = ratio(ledger.cpu(node) + ctx.ask().cpu(), ledger.cpuCapacity(node));
    double mem = ratio(ledger.mem(node) + ctx.ask().memory(), ledger.memCapacity(node));
    return Math.min(1.0, Math.max(cpu, mem));
  }

  private static double ratio(long used, long cap) {
    if (cap <= 0) {
      return used <= 0 ? 0 : 1;
    }
    return (double) used / cap;
  }
}
