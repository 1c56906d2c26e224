package gantry.node.leader;

import gantry.node.leader.LeaderAction.Close;
import gantry.node.leader.LeaderAction.Send;
import gantry.node.state.Changes;
import gantry.node.state.ClusterState;
import gantry.scheduler.AllocationRules;
import gantry.v1.Allocation;
import gantry.v1.Assignment;
import gantry.v1.Assignments;
import gantry.v1.HeartbeatAck;
import gantry.v1.ManagerMessage;
import gantry.v1.NotLeader;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The leader's side of agent sessions, a handler of the leader's loop: one open stream per
 * node. It sends each node its assignments (the allocations it should run or stop) on open
 * and whenever an applied entry touched them (status reports go through {@link StatusCommits}).
 *
 * <p>What goes down: the whole set on open; after that, to an agent that accepts deltas, only the
 * allocations an entry changed on its node (a node touched with none changed, one that changed
 * itself, gets the whole set), and to one that does not, the whole set each time. A node gets
 * its 20th placement as one allocation, not twenty. Deltas are exact because every change of an
 * allocation is a replayed record that lists it in {@link Changes}, the entries' changes reach
 * this handler in order, and a stream delivers in order: a broken stream ends the session, and
 * the next one starts from a whole set again.
 *
 * <p>Session per node: none -> open (assignments sent) -> replaced by a newer stream (the old
 * one is closed) | closed by the agent | closed by a leadership loss (NotLeader sent first) |
 * closed because the GC deleted its node (the agent registers it again).
 *
 * <p>Pure: the state, applied index and time come with each call; runs on the loop's thread only.
 */
final class Dispatcher {
  private final Map<String, Session> sessions = new HashMap<>();
  private final long heartbeatTtlMs;

  Dispatcher(long heartbeatTtlMs) {
    this.heartbeatTtlMs = heartbeatTtlMs;
  }

  int sessionCount() {
    return sessions.size();
  }

  /** One agent's open stream, and whether it applies deltas. */
  private record Session(AgentStream stream, boolean deltas) {}

  /** A session opened: the node's whole set of assignments goes down at once. */
  List<LeaderAction> open(String nodeId, AgentStream stream, boolean acceptsDeltas, ClusterState state,
      long appliedIndex) {
    List<LeaderAction> out = new ArrayList<>();
    Session old = sessions.put(nodeId, new Session(stream, acceptsDeltas));
    if (old != null && old.stream() != stream) out.add(new Close(old.stream()));
    out.add(new Send(stream, assignments(nodeId, state, appliedIndex)));
    return out;
  }

  void closed(String nodeId, AgentStream stream) {
    Session s = sessions.get(nodeId);
    if (s != null && s.stream() == stream) sessions.remove(nodeId);
  }

  List<LeaderAction> heartbeatAck(String nodeId) {
    Session s = sessions.get(nodeId);
    if (s == null) return List.of();
    return List.of(new Send(s.stream(), ManagerMessage.newBuilder()
        .setHeartbeatAck(HeartbeatAck.newBuilder().setHeartbeatTtlMs(heartbeatTtlMs)).build()));
  }

  /**
   * Fresh assignments for the nodes an applied entry touched that hold a session: the changed
   * allocations as they are now in {@code state} (which may be ahead of the entry: a later
   * entry's changes then go down twice, the same both times).
   */
  List<LeaderAction> touched(Changes changes, ClusterState state, long appliedIndex) {
    List<LeaderAction> out = new ArrayList<>();
    for (String id : changes.touchedNodes()) {
      Session s = sessions.get(id);
      if (s == null) continue;
      if (state.node(id).isEmpty()) {
        // The GC deleted the node (down, nothing on it) while its agent came back: closing the
        // session makes the agent register it again.
        sessions.remove(id);
        out.add(new Close(s.stream()));
        continue;
      }
      Set<String> allocs = s.deltas() ? changes.allocsTouched(id).orElse(null) : null;
      out.add(new Send(s.stream(), allocs == null ? assignments(id, state, appliedIndex)
          : delta(allocs, state, appliedIndex)));
    }
    return out;
  }

  /** This peer lost the leadership: every agent is told where to go, and its session closed. */
  List<LeaderAction> leadershipLost(String leaderAddress) {
    List<LeaderAction> out = new ArrayList<>();
    for (Session s : sessions.values()) {
      out.add(new Send(s.stream(), ManagerMessage.newBuilder()
          .setNotLeader(NotLeader.newBuilder().setLeaderGrpcAddress(leaderAddress)).build()));
      out.add(new Close(s.stream()));
    }
    sessions.clear();
    return out;
  }

  /** The whole set: what a node should run (live) or still stop (told to stop, not yet finished). */
  static ManagerMessage assignments(String nodeId, ClusterState state, long appliedIndex) {
    Assignments.Builder b = Assignments.newBuilder().setIndex(appliedIndex);
    for (Allocation a : state.allocsOfNode(nodeId)) {
      if (isAssigned(a)) b.addAllocations(assignment(a));
    }
    return ManagerMessage.newBuilder().setAssignments(b).build();
  }

  /** The allocations given as they are now: assigned ones in full, the others by id as removed. */
  static ManagerMessage delta(Set<String> allocIds, ClusterState state, long appliedIndex) {
    Assignments.Builder b = Assignments.newBuilder().setIndex(appliedIndex).setDelta(true);
    for (String id : allocIds) {
      Allocation a = state.alloc(id).orElse(null);
      if (a != null && isAssigned(a)) b.addAllocations(assignment(a));
      else b.addRemoved(id);
    }
    return ManagerMessage.newBuilder().setAssignments(b).build();
  }

  private static boolean isAssigned(Allocation a) {
    return AllocationRules.isLive(a) || AllocationRules.isStopping(a);
  }

  /** The group spec goes once, in {@code group}: the allocation's own copy is left out. */
  private static Assignment assignment(Allocation a) {
    return Assignment.newBuilder().setAllocation(a.toBuilder().clearGroupSpec()).setGroup(a.getGroupSpec()).build();
  }
}
