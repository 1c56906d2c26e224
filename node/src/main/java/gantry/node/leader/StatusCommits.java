package gantry.node.leader;

import gantry.node.leader.LeaderAction.Propose;
import gantry.node.leader.LeaderAction.StatusCommit;
import gantry.node.state.ClusterState;
import gantry.v1.Allocation;
import gantry.v1.AllocationsUpdated;
import gantry.v1.Record;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the status reports waiting in the {@link StatusBacklog} into records, a handler of the
 * leader's loop: at most {@link #MAX_IN_FLIGHT} proposals of status are on their way through Raft
 * at once, each of at most {@link #MAX_PER_RECORD} updates. While they are, reports wait in the
 * backlog, where a newer report of an allocation replaces the older one. So agents that report
 * faster than the log commits cost the leader one waiting update per allocation, not a queue of
 * every report, and plans do not queue behind a flood of status records.
 *
 * <p>A node reports its own allocations only (a stale agent may still report one the managers
 * moved), and resource metrics are not replicated.
 *
 * <p>Per leadership (epoch): idle -> proposing (1..MAX_IN_FLIGHT in flight; the backlog's wake-up
 * flag stays up, and each finished proposal takes more) -> idle (backlog empty, flag down). A new
 * leadership starts a new epoch; outcomes of an older one are ignored.
 *
 * <p>Pure: the state and time come with each call; runs on the loop's thread only.
 */
final class StatusCommits {
  /** Status proposals in flight at most (the proposer itself keeps two entries in flight). */
  static final int MAX_IN_FLIGHT = 2;
  /** Updates in one record at most: about 100 bytes each, well under an entry's byte limit. */
  static final int MAX_PER_RECORD = 2_000;

  private final StatusBacklog backlog;
  private long epoch;
  private int inFlight;

  StatusCommits(StatusBacklog backlog) {
    this.backlog = backlog;
  }

  /**
   * Proposals for what waits, as long as the bound allows. When the bound is not reached, the
   * backlog was emptied and its wake-up flag lowered (and if reports slipped in meanwhile, they
   * are taken too), so the next report wakes the loop again.
   */
  List<LeaderAction> flush(ClusterState state, long now) {
    List<LeaderAction> out = new ArrayList<>();
    do {
      while (inFlight < MAX_IN_FLIGHT) {
        List<StatusBacklog.Reported> batch = backlog.take(MAX_PER_RECORD);
        if (batch.isEmpty()) break;
        Record r = record(batch, state, now);
        if (r == null) continue;
        out.add(new Propose(List.of(r), new StatusCommit(epoch)));
        inFlight++;
      }
    } while (inFlight < MAX_IN_FLIGHT && backlog.settle());
    return out;
  }

  /** A proposal finished (committed or failed): room for the next; more proposals if reports wait. */
  List<LeaderAction> done(StatusCommit tag, ClusterState state, long now) {
    if (tag.epoch() != epoch) return List.of();
    inFlight--;
    return flush(state, now);
  }

  /** A new leadership: nothing in flight counts, nothing that waited is kept. */
  void reset() {
    epoch++;
    inFlight = 0;
    backlog.clear();
  }

  int inFlight() {
    return inFlight;
  }

  /** The updates of {@code batch} that their node may report, as one record; null when none. */
  private static Record record(List<StatusBacklog.Reported> batch, ClusterState state, long now) {
    AllocationsUpdated.Builder r = AllocationsUpdated.newBuilder().setTimeMs(now);
    for (StatusBacklog.Reported rep : batch) {
      Allocation a = state.alloc(rep.update().getAllocationId()).orElse(null);
      if (a == null || !a.getNodeId().equals(rep.nodeId())) continue;
      r.addUpdates(rep.update().hasMetrics() ? rep.update().toBuilder().clearMetrics().build() : rep.update());
    }
    return r.getUpdatesCount() == 0 ? null : Record.newBuilder().setAllocationsUpdated(r).build();
  }
}
