package gantry.scheduler.feasible;

import gantry.v1.Constraint;

/** One job- or group-level attribute constraint. The reason names it as the user wrote it. */
public record ConstraintFilter(ConstraintMatcher matcher, String reason) implements NodeFilter {
  public static ConstraintFilter of(Constraint c) {
    String op = c.getOperator().isEmpty() ? "=" : c.getOperator();
    return new ConstraintFilter(ConstraintMatcher.compile(c.getAttribute(), op, c.getValue()),
        "failed constraint " + c.getAttribute() + " " + op + " " + c.getValue());
  }

  @Override
  public String reject(int node, PlacementContext ctx) {
    return matcher.matches(ctx.snapshot().node(node)) ? null : reason;
  }

  @Override
  public boolean isStatic() {
    return true;
  }
}
