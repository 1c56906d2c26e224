package gantry.scheduler;

import gantry.v1.Allocation;
import java.util.List;
import java.util.Map;

/**
 * The checker's verdict on a plan.
 *
 * @param accepted the part to commit: accepted placements and the updates still valid
 * @param rejectedNodes node id -> why its part of the plan was refused
 * @param rejectedPlacements placements refused; their groups need a new evaluation
 */
public record PlanCheck(Plan accepted, Map<String, String> rejectedNodes, List<Allocation> rejectedPlacements) {
  public PlanCheck {
    rejectedNodes = Map.copyOf(rejectedNodes);
    rejectedPlacements = List.copyOf(rejectedPlacements);
  }

  public boolean fullyAccepted() {
    return rejectedPlacements.isEmpty();
  }
}
