package gantry.scheduler.feasible;

/** CPU and memory of the group fit in what the node has left. */
public record ResourceFilter() implements NodeFilter {
  @Override
  public String reject(int node, PlacementContext ctx) {
    if (ctx.ledger().cpuFree(node) < ctx.ask().cpu()) {
      return "exhausted cpu";
    }
    if (ctx.ledger().memFree(node) < ctx.ask().memory()) {
      return "exhausted memory";
    }
    return null;
  }

  @Override
  public boolean isStatic() {
    return false;
  }
}
