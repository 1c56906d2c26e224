package gantry.node.leader;

import gantry.node.leader.LeaderAction.NodeMark;
import gantry.node.leader.LeaderAction.Propose;
import gantry.node.state.ClusterState;
import gantry.v1.Node;
import gantry.v1.NodeStatus;
import gantry.v1.NodeStatusChanged;
import gantry.v1.Record;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Node liveness, a handler of the leader's loop: each heartbeat pushes a node's deadline one
 * TTL ahead; a ready node past its deadline is proposed DOWN (its allocations are then
 * replaced), and a down node that heartbeats again (its session outlived the verdict, e.g.
 * across a leader change or a long pause) is proposed READY. Deadlines live in the leader's
 * memory only, so after a leader change every node gets one TTL of grace from the moment this
 * peer took over, not minutes.
 *
 * <p>Per node: no proposal in flight -> (deadline passed, READY) propose DOWN -> marking ->
 * done: the deadline is forgotten if the proposal succeeded (only a later heartbeat brings the
 * node back), kept otherwise so the next check tries again. The same for READY. A proposal
 * still in flight after two TTLs no longer blocks a new one.
 *
 * <p>Pure: the state and the time come with each call; runs on the loop's thread, except
 * {@link #heartbeat}, which the leader calls as a sign of life arrives (on the gRPC thread), not
 * when its loop gets to the event: a loop behind on a burst of work (a plan touching a thousand
 * nodes resends each of them its assignments) must not turn its own backlog into missed
 * heartbeats.
 */
final class HeartbeatMonitor {
  private static final Logger LOG = LoggerFactory.getLogger(HeartbeatMonitor.class);

  private final Duration ttl;
  /** Written by {@link #heartbeat} from any thread. */
  private final Map<String, Long> deadlines = new ConcurrentHashMap<>();
  /** When {@link #check} last ran, or -1. */
  private long lastCheck = -1;
  /** Nodes with a status proposal in flight, and when it was made. */
  private final Map<String, Long> marking = new HashMap<>();

  HeartbeatMonitor(Duration ttl) {
    this.ttl = ttl;
  }

  Duration ttl() {
    return ttl;
  }

  /** A sign of life from {@code nodeId} at {@code now}; thread-safe. A later deadline is never moved back. */
  void heartbeat(String nodeId, long now) {
    deadlines.merge(nodeId, now + ttl.toMillis(), Math::max);
  }

  /** This peer just became leader: every node starts with a full TTL. */
  void reset() {
    deadlines.clear();
    marking.clear();
    lastCheck = -1;
  }

  /** One pass over {@code state}'s nodes: DOWN for ready nodes past their deadline, READY for down nodes heartbeating again. */
  List<LeaderAction> check(ClusterState state, long now) {
    forgiveStall(state, now);
    List<LeaderAction> out = new ArrayList<>();
    for (Node n : state.nodesUnordered()) {
      if (n.getStatus() == NodeStatus.NODE_STATUS_DOWN) {
        Long beat = deadlines.get(n.getId());
        if (beat != null && now <= beat && mark(n.getId(), now)) {
          LOG.info("node {} ({}) heartbeats again: marking it ready", n.getName(), n.getId());
          out.add(propose(n, NodeStatus.NODE_STATUS_READY, "heartbeat resumed", now, -1));
        }
        continue;
      }
      if (n.getStatus() != NodeStatus.NODE_STATUS_READY) continue;
      long deadline = deadlines.computeIfAbsent(n.getId(), k -> now + ttl.toMillis());
      if (now <= deadline || !mark(n.getId(), now)) continue;
      LOG.info("node {} ({}) missed its heartbeat TTL of {} ms: marking it down", n.getName(), n.getId(), ttl.toMillis());
      out.add(propose(n, NodeStatus.NODE_STATUS_DOWN, "missed heartbeat TTL of " + ttl.toMillis() + " ms", now, deadline));
    }
    return out;
  }

  /**
   * Checks run every tick (100 ms). A gap of more than half a TTL means this process did not run
   * (a paused or starved JVM, a frozen container): the missed heartbeats say nothing about the
   * nodes, and a leader that just woke up, before Raft tells it that it was deposed, would mark
   * every node down through the new leader (seen in the chaos suite's pause fault). Every ready
   * node gets a full TTL from now instead.
   */
  private void forgiveStall(ClusterState state, long now) {
    long gap = lastCheck < 0 ? 0 : now - lastCheck;
    lastCheck = now;
    if (gap <= ttl.toMillis() / 2) return;
    LOG.warn("no liveness check for {} ms (this process was paused or starved): every ready node gets a full TTL", gap);
    for (Node n : state.nodesUnordered()) {
      if (n.getStatus() == NodeStatus.NODE_STATUS_READY) deadlines.put(n.getId(), now + ttl.toMillis());
    }
  }

  /**
   * Whether a status change may be proposed for the node now: none is in flight, or the one in
   * flight is older than two TTLs. A proposal can hang for a long time when the Raft client's
   * ordered requests wait behind one sent to a peer that died; the node's status must not wait
   * with it (seen in the chaos suite: agents back in session, their nodes left down).
   */
  private boolean mark(String nodeId, long now) {
    Long since = marking.get(nodeId);
    if (since != null && now - since <= 2 * ttl.toMillis()) return false;
    marking.put(nodeId, now);
    return true;
  }

  /** A status change proposed by {@link #check} finished. */
  void done(NodeMark mark, boolean committed) {
    marking.remove(mark.nodeId());
    // A node marked down keeps no deadline: only a heartbeat after the verdict brings it back.
    if (committed && mark.missedDeadline() >= 0) deadlines.remove(mark.nodeId(), mark.missedDeadline());
  }

  private static LeaderAction propose(Node n, NodeStatus status, String reason, long now, long missed) {
    Record r = Record.newBuilder().setNodeStatusChanged(NodeStatusChanged.newBuilder()
        .setNodeId(n.getId()).setStatus(status).setTimeMs(now).setReason(reason)).build();
    return new Propose(List.of(r), new NodeMark(n.getId(), missed));
  }
}
