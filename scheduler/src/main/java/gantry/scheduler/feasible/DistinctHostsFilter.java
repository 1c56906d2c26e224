package gantry.scheduler.feasible;

/** distinct_hosts: no two allocations of the group on one node. */
public record DistinctHostsFilter() implements NodeFilter {
  public static final String REASON = "failed constraint distinct_hosts";

  @Override
  public String reject(int node, PlacementContext ctx) {
    return ctx.collisions(node) > 0 ? REASON : null;
  }

  @Override
  public boolean isStatic() {
    return false;
  }
}
