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
 * @param deferredUpdates allocations of an old job version left for a follow-up evaluation
 *     because the group's {@code update.max_parallel} was reached
 */
public record Plan(String evalId, String job, long snapshotIndex, List<Allocation> placements,
    List<AllocUpdate> updates, Map<String, PlacementFailure> failures, int deferredUpdates) {
  public Plan {
    Objects.requireNonNull(evalId);
    Objects.requireNonNull(job);
    placements = List.copyOf(placements);
    updates = List.copyOf(updates);
    failures = Map.copyOf(failures);
  }

  /** Nothing to commit. */
  public boolean isEmpty() {
    return placements.isEmpty() && updates.isEmpty();
  }

  /** The evaluation is complete only if every group was placed and nothing was deferred. */
  public boolean needsFollowUp() {
    return !failures.isEmpty() || deferredUpdates > 0;
  }
}
