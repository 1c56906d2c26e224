package gantry.node.state;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * What replaying one entry touched, for the leader's components to react to after the entry
 * is applied: evaluations that became ready, nodes whose allocations changed (a placement, a
 * stop, an allocation that finished) or that changed themselves, and the evaluations whose
 * plans were applied. The allocations that changed are listed per node, so the dispatcher can
 * send a node just those; a node touched with none listed changed itself.
 */
public final class Changes {
  private final Set<String> readyEvals = new LinkedHashSet<>();
  private final Set<String> touchedNodes = new LinkedHashSet<>();
  private final Set<String> appliedPlans = new LinkedHashSet<>();
  /** Per touched node, the allocations that changed on it. */
  private final Map<String, Set<String>> touchedAllocs = new LinkedHashMap<>();
  private int created;

  /** A per-entry counter, so ids made during replay are the same on every peer. */
  int nextSeq() {
    return created++;
  }

  void evalReady(String id) {
    readyEvals.add(id);
  }

  /** The node itself changed (registered, status, drain). */
  void nodeTouched(String id) {
    touchedNodes.add(id);
  }

  /** An allocation on {@code nodeId} changed in a way its agent must see (placed, stopped, finished). */
  void allocTouched(String nodeId, String allocId) {
    touchedNodes.add(nodeId);
    touchedAllocs.computeIfAbsent(nodeId, k -> new LinkedHashSet<>()).add(allocId);
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

  /** The allocations of {@code nodeId} this entry changed; empty when it changed none of them. */
  public Optional<Set<String>> allocsTouched(String nodeId) {
    return Optional.ofNullable(touchedAllocs.get(nodeId));
  }

  public boolean isEmpty() {
    return readyEvals.isEmpty() && touchedNodes.isEmpty() && appliedPlans.isEmpty();
  }
}
