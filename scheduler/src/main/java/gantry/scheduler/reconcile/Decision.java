package gantry.scheduler.reconcile;

import gantry.v1.Allocation;
import java.util.Objects;

/** What reconciliation decided for one replica slot or one existing allocation. */
public sealed interface Decision {
  String group();

  /**
   * A new allocation for slot {@code index}.
   *
   * @param previous the allocation it replaces (failed, lost, migrating, old version), or null
   * @param stopPrevious if not empty, stop {@code previous} with this description, but only
   *     once the replacement is placed (migrations and version updates never lower the count)
   * @param pinnedNodeId for system jobs: the one node it must go to; empty means any
   * @param reason why it is needed, for the allocation's description
   * @param startFirst place it beside {@code previous}, which keeps running until the new one
   *     is healthy (a rolling update's start_first); if no node has room for both, stop
   *     {@code previous} as it is placed after all
   * @param canary a deployment's canary: placed beside {@code previous}, which keeps running until
   *     the deployment is promoted; never stop_first (a canary with no room stays unplaced)
   */
  record Place(String group, int index, Allocation previous, String stopPrevious, String pinnedNodeId,
      String reason, boolean startFirst, boolean canary) implements Decision {
    public Place {
      Objects.requireNonNull(stopPrevious);
      Objects.requireNonNull(pinnedNodeId);
      Objects.requireNonNull(reason);
      if (canary && !startFirst) throw new IllegalArgumentException("a canary is placed beside what it replaces (start_first)");
    }

    /** A placement that stops {@code previous} (if any) as it is placed. */
    public Place(String group, int index, Allocation previous, String stopPrevious, String pinnedNodeId, String reason) {
      this(group, index, previous, stopPrevious, pinnedNodeId, reason, false, false);
    }

    /** A placement that is not a canary. */
    public Place(String group, int index, Allocation previous, String stopPrevious, String pinnedNodeId, String reason,
        boolean startFirst) {
      this(group, index, previous, stopPrevious, pinnedNodeId, reason, startFirst, false);
    }
  }

  /** Stop a live allocation now; {@code lost} when its node is down or gone. */
  record Stop(String group, Allocation alloc, String description, boolean lost) implements Decision {}

  /** Leave a live allocation as it is. */
  record Keep(String group, Allocation alloc) implements Decision {}

  /**
   * Move a live allocation of an older job version to the current one without touching what
   * runs: its tasks are unchanged (only the count, update or scaling policy, or meta changed)
   * and its node still passes the group's static filters.
   */
  record UpdateInPlace(String group, Allocation alloc) implements Decision {}
}
