package gantry.node.leader;

import gantry.node.raft.Proposer;
import gantry.node.state.ClusterState;
import gantry.v1.Node;
import gantry.v1.NodeStatus;
import gantry.v1.NodeStatusChanged;
import gantry.v1.Record;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Node liveness on the leader: each heartbeat pushes a node's deadline one TTL ahead; a ready
 * node past its deadline is proposed DOWN (its allocations are then replaced), and a down
 * node that heartbeats again (its session outlived the verdict, e.g. across a leader change
 * or a long pause) is proposed READY. Deadlines live in the leader's memory only, so after a
 * leader change every node gets one TTL of grace from the moment this peer took over, not
 * minutes.
 */
final class HeartbeatMonitor {
  private static final Logger LOG = LoggerFactory.getLogger(HeartbeatMonitor.class);

  private final ClusterState state;
  private final Proposer proposer;
  private final Clock clock;
  private final Duration ttl;
  private final Map<String, Long> deadlines = new ConcurrentHashMap<>();
  private final Set<String> marking = ConcurrentHashMap.newKeySet();

  HeartbeatMonitor(ClusterState state, Proposer proposer, Clock clock, Duration ttl) {
    this.state = state;
    this.proposer = proposer;
    this.clock = clock;
    this.ttl = ttl;
  }

  Duration ttl() {
    return ttl;
  }

  void heartbeat(String nodeId) {
    deadlines.put(nodeId, clock.millis() + ttl.toMillis());
  }

  /** This peer just became leader: every node starts with a full TTL. */
  void reset() {
    deadlines.clear();
    marking.clear();
  }

  /** One pass: propose DOWN for ready nodes past their deadline, READY for down nodes heartbeating again. */
  void check() {
    long now = clock.millis();
    for (Node n : state.nodesUnordered()) {
      if (n.getStatus() == NodeStatus.NODE_STATUS_DOWN) {
        Long beat = deadlines.get(n.getId());
        if (beat != null && now <= beat && marking.add(n.getId())) {
          LOG.info("node {} ({}) heartbeats again: marking it ready", n.getName(), n.getId());
          propose(n, NodeStatus.NODE_STATUS_READY, "heartbeat resumed", now, null);
        }
        continue;
      }
      if (n.getStatus() != NodeStatus.NODE_STATUS_READY) continue;
      long deadline = deadlines.computeIfAbsent(n.getId(), k -> now + ttl.toMillis());
      if (now <= deadline || !marking.add(n.getId())) continue;
      LOG.info("node {} ({}) missed its heartbeat TTL of {} ms: marking it down", n.getName(), n.getId(), ttl.toMillis());
      propose(n, NodeStatus.NODE_STATUS_DOWN, "missed heartbeat TTL of " + ttl.toMillis() + " ms", now, deadline);
    }
  }

  /** @param missed the deadline the node missed (forgotten once it is down, unless a heartbeat came since), or null */
  private void propose(Node n, NodeStatus status, String reason, long now, Long missed) {
    Record r = Record.newBuilder().setNodeStatusChanged(NodeStatusChanged.newBuilder()
        .setNodeId(n.getId()).setStatus(status).setTimeMs(now).setReason(reason)).build();
    proposer.propose(List.of(r)).whenComplete((p, err) -> {
      marking.remove(n.getId());
      // A node marked down keeps no deadline: only a heartbeat after the verdict brings it back.
      if (err == null && missed != null) deadlines.remove(n.getId(), missed);
    });
  }
}
