package gantry.node.leader;

import gantry.scheduler.AllocationRules;
import gantry.node.raft.Proposer;
import gantry.node.state.ClusterState;
import gantry.scheduler.ClusterSnapshot;
import gantry.v1.Allocation;
import gantry.v1.AllocationStatusUpdate;
import gantry.v1.AllocationUpdates;
import gantry.v1.AllocationsUpdated;
import gantry.v1.Assignment;
import gantry.v1.Assignments;
import gantry.v1.ClientStatus;
import gantry.v1.DesiredStatus;
import gantry.v1.HeartbeatAck;
import gantry.v1.ManagerMessage;
import gantry.v1.NotLeader;
import gantry.v1.Record;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The leader's side of agent sessions: one open stream per node. It sends each node its
 * assignments (the allocations it should run or stop) on open and whenever an applied entry
 * touched them, records heartbeats, and turns status updates into records (the proposer
 * batches them with everything else).
 *
 * <p>Streams are not thread-safe: every send to one node happens under that node's lock.
 */
public final class Dispatcher {
  private final ClusterState state;
  private final Proposer proposer;
  private final HeartbeatMonitor heartbeats;
  private final Clock clock;
  private final LongSupplier appliedIndex;
  private final Supplier<String> leaderAddress;
  private final Map<String, StreamObserver<ManagerMessage>> sessions = new ConcurrentHashMap<>();

  Dispatcher(ClusterState state, Proposer proposer, HeartbeatMonitor heartbeats, Clock clock,
      LongSupplier appliedIndex, Supplier<String> leaderAddress) {
    this.state = state;
    this.proposer = proposer;
    this.heartbeats = heartbeats;
    this.clock = clock;
    this.appliedIndex = appliedIndex;
    this.leaderAddress = leaderAddress;
  }

  public long heartbeatTtlMs() {
    return heartbeats.ttl().toMillis();
  }

  /** A session opened (the caller checked this peer leads). */
  public void open(String nodeId, StreamObserver<ManagerMessage> stream) {
    StreamObserver<ManagerMessage> old = sessions.put(nodeId, stream);
    if (old != null && old != stream) complete(old);
    heartbeats.heartbeat(nodeId);
    push(nodeId);
  }

  public void closed(String nodeId, StreamObserver<ManagerMessage> stream) {
    sessions.remove(nodeId, stream);
  }

  public void heartbeat(String nodeId) {
    heartbeats.heartbeat(nodeId);
    StreamObserver<ManagerMessage> s = sessions.get(nodeId);
    if (s != null) send(s, ManagerMessage.newBuilder()
        .setHeartbeatAck(HeartbeatAck.newBuilder().setHeartbeatTtlMs(heartbeatTtlMs())).build());
  }

  public void heartbeatOnly(String nodeId) {
    heartbeats.heartbeat(nodeId);
  }

  /** Status from an agent; resource metrics are not replicated (they change every few seconds). */
  public void updates(String nodeId, AllocationUpdates u) {
    heartbeats.heartbeat(nodeId);
    AllocationsUpdated.Builder r = AllocationsUpdated.newBuilder().setTimeMs(clock.millis());
    for (AllocationStatusUpdate up : u.getUpdatesList()) {
      Allocation a = state.alloc(up.getAllocationId()).orElse(null);
      if (a == null || !a.getNodeId().equals(nodeId)) continue;
      r.addUpdates(up.toBuilder().clearMetrics());
    }
    if (r.getUpdatesCount() > 0) proposer.propose(List.of(Record.newBuilder().setAllocationsUpdated(r).build()));
  }

  /** Sends fresh assignments to the nodes an applied entry touched. */
  void touched(Collection<String> nodeIds) {
    for (String id : nodeIds) {
      if (sessions.containsKey(id)) push(id);
    }
  }

  /** This peer lost the leadership: tell every agent where to go. */
  void leadershipLost() {
    String leader = leaderAddress.get();
    for (var e : sessions.entrySet()) {
      send(e.getValue(), ManagerMessage.newBuilder()
          .setNotLeader(NotLeader.newBuilder().setLeaderGrpcAddress(leader)).build());
      complete(e.getValue());
    }
    sessions.clear();
  }

  private void push(String nodeId) {
    StreamObserver<ManagerMessage> s = sessions.get(nodeId);
    if (s == null) return;
    Assignments.Builder b = Assignments.newBuilder().setIndex(appliedIndex.getAsLong());
    for (Allocation a : state.allocsOfNode(nodeId)) {
      if (AllocationRules.isLive(a) || AllocationRules.isStopping(a)) b.addAllocations(Assignment.newBuilder().setAllocation(a).setGroup(a.getGroupSpec()));
    }
    send(s, ManagerMessage.newBuilder().setAssignments(b).build());
  }

  private static void send(StreamObserver<ManagerMessage> s, ManagerMessage m) {
    synchronized (s) {
      try {
        s.onNext(m);
      } catch (RuntimeException e) {
        // the stream is gone; the agent reconnects
      }
    }
  }

  private static void complete(StreamObserver<ManagerMessage> s) {
    synchronized (s) {
      try {
        s.onCompleted();
      } catch (RuntimeException e) {
        // already closed
      }
    }
  }
}
