package gantry.node.http;

import gantry.node.raft.GantryStateMachine;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the leader changes this peer has seen, for {@code gantry_raft_leader_changes_total}:
 * every leadership notification of its state machine is one change, because Ratis notifies once
 * per new leader it learns of and Gantry turns that into exactly one event —
 * {@code notifyLeaderChanged} for another peer becoming leader (false), {@code notifyLeaderReady}
 * for this peer leading with its term's first entry applied (true). So a re-election of the same
 * peer after a leaderless gap counts too, as etcd's leader_changes_seen does.
 *
 * <p>Not counted: a leader already known when this object starts following (it is created
 * right after Raft starts, before anything else, to keep that window short), and a term this
 * peer won but lost before its first entry applied (it never served as leader).
 */
public final class LeaderChanges {
  private final AtomicLong seen = new AtomicLong();

  private LeaderChanges() {}

  /** Starts counting the leadership notifications of {@code stateMachine}. */
  public static LeaderChanges follow(GantryStateMachine stateMachine) {
    LeaderChanges changes = new LeaderChanges();
    stateMachine.onLeadership(leads -> changes.seen.incrementAndGet());
    return changes;
  }

  /** Leader changes seen since {@link #follow}. */
  public long count() {
    return seen.get();
  }
}
