package gantry.scheduler.feasible;

import java.util.List;

/** Every driver the group's tasks use is available on the node. */
public record DriverFilter() implements NodeFilter {
  @Override
  public String reject(int node, PlacementContext ctx) {
    List<String> have = ctx.snapshot().node(node).getDriversList();
    for (String d : ctx.ask().drivers()) {
      if (!have.contains(d)) {
        return "missing driver " + d;
      }
    }
    return null;
  }

  @Override
  public boolean isStatic() {
    return true;
  }
}
