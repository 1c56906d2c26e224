package gantry.scheduler.feasible;

/**
 * One feasibility check. Returns {@code null} when the node passes, else a short human reason
 * ("exhausted memory") that {@link FilterChain} counts into the placement explanation.
 *
 * <p>Static filters look only at the node and the spec, so their verdict holds for a whole
 * evaluation; dynamic ones look at usage, which the plan changes as it places.
 */
public sealed interface NodeFilter
    permits ReadyFilter, DriverFilter, ConstraintFilter, DistinctHostsFilter, ResourceFilter, PortFilter {
  String reject(int node, PlacementContext ctx);

  boolean isStatic();
}
