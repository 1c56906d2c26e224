package gantry.agent.runner;

import gantry.v1.Assignment;
import gantry.v1.ClientStatus;
import gantry.v1.DesiredStatus;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Compares what the managers sent with the allocations this node holds and says what to do: a
 * whole desired set ({@link #reconcile}), or a delta ({@link #reconcileDelta}: the changed
 * allocations, the same rules, and the ids no longer assigned). Pure.
 *
 * <pre>
 *   assigned RUN,  not held, server status not terminal  -> start
 *   assigned RUN,  not held, server status terminal      -> nothing (it ran here before; never re-run)
 *   assigned RUN,  held                                  -> update (new allocation record, same tasks)
 *   assigned STOP, held and not stopped                  -> stop (keep it and its logs while assigned)
 *   assigned STOP, held and stopped / not held           -> nothing (stopped allocations still get updates)
 *   held, not assigned any more                          -> forget (stop, destroy, delete its file)
 *     (a whole set: held and not in it; a delta: held and among its removed ids)
 * </pre>
 */
public final class AllocationReconciler {
  private AllocationReconciler() {}

  /** What this node holds for one allocation. {@code stopping}: a stop was already asked for. */
  public record Held(String allocationId, boolean stopping) {}

  /** The decision; each list is in the order of the assignments. */
  public record Plan(List<Assignment> start, List<Assignment> update, List<String> stop, List<String> forget) {
    public Plan {
      start = List.copyOf(start);
      update = List.copyOf(update);
      stop = List.copyOf(stop);
      forget = List.copyOf(forget);
    }

    public boolean isEmpty() {
      return start.isEmpty() && update.isEmpty() && stop.isEmpty() && forget.isEmpty();
    }
  }

  public static Plan reconcile(List<Assignment> desired, Map<String, Held> held) {
    return decide(desired, held, assigned -> held.keySet().stream().filter(id -> !assigned.contains(id)));
  }

  /**
   * A delta: {@code changed} are allocations still assigned (the rest of what this node holds is
   * as before), {@code removed} the ids of those no longer assigned.
   */
  public static Plan reconcileDelta(List<Assignment> changed, List<String> removed, Map<String, Held> held) {
    return decide(changed, held, assigned -> removed.stream().filter(id -> held.containsKey(id) && !assigned.contains(id))
        .distinct());
  }

  /** {@code dropped}: given the ids assigned in this message, the held ones to forget. */
  private static Plan decide(List<Assignment> desired, Map<String, Held> held,
      Function<Set<String>, Stream<String>> dropped) {
    List<Assignment> start = new ArrayList<>();
    List<Assignment> update = new ArrayList<>();
    List<String> stop = new ArrayList<>();
    Set<String> assigned = new HashSet<>();
    for (Assignment a : desired) {
      String id = a.getAllocation().getId();
      if (!assigned.add(id)) {
        continue; // a duplicate in one message: the first wins
      }
      Held h = held.get(id);
      boolean run = a.getAllocation().getDesiredStatus() != DesiredStatus.DESIRED_STATUS_STOP;
      if (h == null) {
        if (run && !serverTerminal(a.getAllocation().getClientStatus())) {
          start.add(a);
        }
      } else if (run) {
        update.add(a);
      } else {
        if (!h.stopping()) {
          stop.add(id);
        }
        update.add(a);
      }
    }
    List<String> forget = dropped.apply(assigned).sorted().toList();
    return new Plan(start, update, stop, forget);
  }

  private static boolean serverTerminal(ClientStatus s) {
    return s == ClientStatus.CLIENT_STATUS_COMPLETE || s == ClientStatus.CLIENT_STATUS_FAILED
        || s == ClientStatus.CLIENT_STATUS_LOST;
  }
}
