package gantry.node.leader;

import gantry.node.leader.LeaderAction.Close;
import gantry.node.leader.LeaderAction.Propose;
import gantry.node.leader.LeaderAction.Send;
import gantry.node.leader.LeaderAction.Untracked;
import gantry.node.state.ClusterState;
import gantry.scheduler.AllocationRules;
import gantry.v1.Allocation;
import gantry.v1.AllocationStatusUpdate;
import gantry.v1.AllocationUpdates;
import gantry.v1.AllocationsUpdated;
import gantry.v1.Assignment;
import gantry.v1.Assignments;
import gantry.v1.HeartbeatAck;
import gantry.v1.ManagerMessage;
import gantry.v1.NotLeader;
import gantry.v1.Record;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The leader's side of agent sessions, a handler of the leader's loop: one open stream per
 * node. It sends each node its assignments (the allocations it should run or stop) on open
 * and whenever an applied entry touched them, and turns status updates into records.
 *
 * <p>Session per node: none -> open (assignments sent) -> replaced by a newer stream (the old
 * one is closed) | closed by the agent | closed by a leadership loss (NotLeader sent first).
 *
 * <p>Pure: the state, applied index and time come with each call; runs on the loop's thread only.
 */
final class Dispatcher {
  private final Map<String, AgentStream> sessions = new HashMap<>();
  private final long heartbeatTtlMs;

  Dispatcher(long heartbeatTtlMs) {
    this.heartbeatTtlMs = heartbeatTtlMs;
  }

  int sessionCount() {
    return sessions.size();
  }

  /** A session opened: the node's assignments go down at once. */
  List<LeaderAction> open(String nodeId, AgentStream stream, ClusterState state, long appliedIndex) {
    List<LeaderAction> out = new ArrayList<>();
    AgentStream old = sessions.put(nodeId, stream);
    if (old != null && old != stream) out.add(new Close(old));
    out.add(new Send(stream, assignments(nodeId, state, appliedIndex)));
    return out;
  }

  void closed(String nodeId, AgentStream stream) {
    sessions.remove(nodeId, stream);
  }

  List<LeaderAction> heartbeatAck(String nodeId) {
    AgentStream s = sessions.get(nodeId);
    if (s == null) return List.of();
    return List.of(new Send(s, ManagerMessage.newBuilder()
        .setHeartbeatAck(HeartbeatAck.newBuilder().setHeartbeatTtlMs(heartbeatTtlMs)).build()));
  }

  /** Status from an agent, for its own allocations only; resource metrics are not replicated. */
  List<LeaderAction> updates(String nodeId, AllocationUpdates u, ClusterState state, long now) {
    AllocationsUpdated.Builder r = AllocationsUpdated.newBuilder().setTimeMs(now);
    for (AllocationStatusUpdate up : u.getUpdatesList()) {
      Allocation a = state.alloc(up.getAllocationId()).orElse(null);
      if (a == null || !a.getNodeId().equals(nodeId)) continue;
      r.addUpdates(up.toBuilder().clearMetrics());
    }
    if (r.getUpdatesCount() == 0) return List.of();
    return List.of(new Propose(List.of(Record.newBuilder().setAllocationsUpdated(r).build()), new Untracked()));
  }

  /** Fresh assignments for the nodes an applied entry touched that hold a session. */
  List<LeaderAction> touched(Collection<String> nodeIds, ClusterState state, long appliedIndex) {
    List<LeaderAction> out = new ArrayList<>();
    for (String id : nodeIds) {
      AgentStream s = sessions.get(id);
      if (s != null) out.add(new Send(s, assignments(id, state, appliedIndex)));
    }
    return out;
  }

  /** This peer lost the leadership: every agent is told where to go, and its session closed. */
  List<LeaderAction> leadershipLost(String leaderAddress) {
    List<LeaderAction> out = new ArrayList<>();
    for (AgentStream s : sessions.values()) {
      out.add(new Send(s, ManagerMessage.newBuilder()
          .setNotLeader(NotLeader.newBuilder().setLeaderGrpcAddress(leaderAddress)).build()));
      out.add(new Close(s));
    }
    sessions.clear();
    return out;
  }

  /**
   * What a node should run (live) or still stop (told to stop, not yet finished). The group spec
   * goes once per assignment, in {@code group}: the allocation's own copy is left out (a node is
   * sent all of its allocations whenever one changes, so a second copy of every spec doubled
   * what the leader serialized and each agent parsed).
   */
  static ManagerMessage assignments(String nodeId, ClusterState state, long appliedIndex) {
    Assignments.Builder b = Assignments.newBuilder().setIndex(appliedIndex);
    for (Allocation a : state.allocsOfNode(nodeId)) {
      if (AllocationRules.isLive(a) || AllocationRules.isStopping(a)) {
        b.addAllocations(Assignment.newBuilder().setAllocation(a.toBuilder().clearGroupSpec()).setGroup(a.getGroupSpec()));
      }
    }
    return ManagerMessage.newBuilder().setAssignments(b).build();
  }
}
