package gantry.scheduler;

import gantry.v1.Allocation;
import gantry.v1.PlacementFailure;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one evaluation decided, made against the snapshot at {@code snapshotIndex}.
 *
 * @param evalId the evaluation that produced it
 * @param job the job name
 * @param snapshotIndex Raft index of the snapshot it was computed from
 * @param placements new allocations (desired RUN, client PENDING), in placement order
 * @param updates stops of existing allocations
 * @param failures per group that could not be placed fully: why
 * @param inPlace live allocations moved to the current job version where they run (their
 *     tasks did not change): the same allocation with the new version and group spec
 * @param deferredUpdates allocations of an old job version left for later because the group's
 *     rolling update had no room (see {@code RollingUpdate})
 * @param wakeAtMs when to evaluate the job again because a system job's stagger held updates
 *     back (0 = no need: other deferred updates wait for health reports)
 */
public record Plan(String evalId, String job, long snapshotIndex, List<Allocation> placements,
    List<AllocUpdate> updates, Map<String, PlacementFailure> failures, int deferredUpdates, List<Allocation> inPlace,
    long wakeAtMs) {
  public Plan {
    Objects.requireNonNull(evalId);
    Objects.requireNonNull(job);
    placements = List.copyOf(placements);
    updates = List.copyOf(updates);
    failures = Map.copyOf(failures);
    inPlace = List.copyOf(inPlace);
  }

  /** A plan that needs no evaluation at a later time. */
  public Plan(String evalId, String job, long snapshotIndex, List<Allocation> placements,
      List<AllocUpdate> updates, Map<String, PlacementFailure> failures, int deferredUpdates, List<Allocation> inPlace) {
    this(evalId, job, snapshotIndex, placements, updates, failures, deferredUpdates, inPlace, 0);
  }

  /** A plan without updates in place. */
  public Plan(String evalId, String job, long snapshotIndex, List<Allocation> placements,
      List<AllocUpdate> updates, Map<String, PlacementFailure> failures, int deferredUpdates) {
    this(evalId, job, snapshotIndex, placements, updates, failures, deferredUpdates, List.of());
  }

  /** Nothing to commit. */
  public boolean isEmpty() {
    return placements.isEmpty() && updates.isEmpty() && inPlace.isEmpty();
  }

  /**
   * Some group could not be placed fully. (Deferred updates wait for the health of the
   * allocations this plan starts, not for another evaluation: see RollingUpdate.)
   */
  public boolean needsFollowUp() {
    return !failures.isEmpty();
  }
}
