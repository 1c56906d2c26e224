package gantry.node.state;

import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What replaying one entry touched, for the leader's components to react to after the entry
 * is applied: evaluations that became ready and nodes whose allocations changed.
 */
public final class Changes {
  private final Set<String> readyEvals = new LinkedHashSet<>();
  private final Set<String> touchedNodes = new LinkedHashSet<>();
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

  public Set<String> readyEvals() {
    return readyEvals;
  }

  public Set<String> touchedNodes() {
    return touchedNodes;
  }

  public boolean isEmpty() {
    return readyEvals.isEmpty() && touchedNodes.isEmpty();
  }
}
