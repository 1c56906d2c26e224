package gantry.node.state;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What replaying one entry touched, for the leader's components to react to after the entry
 * is applied: evaluations that became ready, nodes whose allocations changed (a placement, a
 * stop, an allocation that finished) or that changed themselves, and the evaluations whose
 * plans were applied.
 */
public final class Changes {
  private final Set<String> readyEvals = new LinkedHashSet<>();
  private final Set<String> touchedNodes = new LinkedHashSet<>();
  private final Set<String> appliedPlans = new LinkedHashSet<>();
  private int created;

  /** A per-entry counter, so ids made during replay are the same on every peer. */
  int nextSeq() {
    return created++;
  }

  void evalReady(String id) {
    readyEvals.add(id);
  }

  void nodeTouched(String id) {
    touchedNodes.add(id);
  }

  void planApplied(String evalId) {
    appliedPlans.add(evalId);
  }

  /** Evaluations whose PlanApplied record this entry replayed (whatever replay dropped of it). */
  public Set<String> appliedPlans() {
    return appliedPlans;
  }

  public Set<String> readyEvals() {
    return readyEvals;
  }

  public Set<String> touchedNodes() {
    return touchedNodes;
  }

  public boolean isEmpty() {
    return readyEvals.isEmpty() && touchedNodes.isEmpty() && appliedPlans.isEmpty();
  }
}
