package gantry.scheduler.feasible;

/** Static ports are free on the node and enough dynamic ports are left in the range. */
public record PortFilter() implements NodeFilter {
  @Override
  public String reject(int node, PlacementContext ctx) {
    if (ctx.ask().ports().isEmpty()) {
      return null;
    }
    return PortAssigner.check(ctx.ledger().ports(node), ctx.ask());
  }

  @Override
  public boolean isStatic() {
    return false;
  }
}
