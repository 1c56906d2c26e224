package gantry.node.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.node.leader.LeaderAction.NodeMark;
import gantry.node.leader.LeaderAction.Propose;
import gantry.v1.NodeStatus;
import gantry.v1.NodeStatusChanged;
import gantry.v1.Record;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Harness: the heartbeat monitor on replayed state with a controlled clock; no Raft, no threads. */
class HeartbeatMonitorTest {
  final ReplayedState s = new ReplayedState().node("n1", 1000, 1000).node("n2", 1000, 1000);
  final HeartbeatMonitor monitor = new HeartbeatMonitor(Duration.ofMillis(3000));

  static NodeStatusChanged change(LeaderAction a) {
    return ((Propose) a).records().getFirst().getNodeStatusChanged();
  }

  @Test
  void aNodeIsMarkedDownOnlyAfterItsTtlWithoutHeartbeat() {
    assertTrue(monitor.check(s.state, 0).isEmpty(), "every node starts with a full TTL");
    monitor.heartbeat("n1", 2500);
    assertTrue(monitor.check(s.state, 3000).isEmpty(), "at the deadline exactly, nobody is late yet");
    List<LeaderAction> late = monitor.check(s.state, 3001);
    assertEquals(1, late.size());
    assertEquals("n2", change(late.getFirst()).getNodeId());
    assertEquals(NodeStatus.NODE_STATUS_DOWN, change(late.getFirst()).getStatus());
    assertTrue(monitor.check(s.state, 4000).isEmpty(), "one proposal in flight per node");
    assertEquals(1, monitor.check(s.state, 5501).size(), "n1's deadline, pushed by its heartbeat, passes later");
  }

  @Test
  void aFailedProposalIsRetriedAndACommittedOneForgetsTheDeadline() {
    monitor.check(s.state, 0);
    List<LeaderAction> late = monitor.check(s.state, 3001);
    assertEquals(2, late.size());
    NodeMark failed = (NodeMark) ((Propose) late.get(0)).tag();
    NodeMark committed = (NodeMark) ((Propose) late.get(1)).tag();
    monitor.done(failed, false);
    monitor.done(committed, true);
    List<LeaderAction> again = monitor.check(s.state, 3002);
    assertEquals(List.of(failed.nodeId()), again.stream().map(a -> change(a).getNodeId()).toList(),
        "the failed proposal is made again; the committed one's deadline is gone (the node is down in Raft's eyes)");
  }

  @Test
  void aDownNodeThatHeartbeatsAgainIsMarkedReady() {
    s.apply(Record.newBuilder().setNodeStatusChanged(NodeStatusChanged.newBuilder().setNodeId("n1")
        .setStatus(NodeStatus.NODE_STATUS_DOWN)).build());
    monitor.heartbeat("n2", 0);
    assertTrue(monitor.check(s.state, 100).isEmpty(), "a down node without a heartbeat stays down");
    monitor.heartbeat("n1", 200);
    List<LeaderAction> back = monitor.check(s.state, 300);
    assertEquals(NodeStatus.NODE_STATUS_READY, change(back.getFirst()).getStatus());
    assertEquals("n1", change(back.getFirst()).getNodeId());
  }

  @Test
  void aNewLeaderGivesEveryNodeAFullTtl() {
    monitor.check(s.state, 0);
    monitor.reset();
    assertTrue(monitor.check(s.state, 10_000).isEmpty(), "the deadlines of the last term are forgotten");
    assertEquals(2, monitor.check(s.state, 13_001).size());
  }

  @Test
  void aProposalThatNeverFinishesStopsBlockingAfterTwoTtls() {
    monitor.check(s.state, 0);
    assertEquals(2, monitor.check(s.state, 3001).size());
    assertTrue(monitor.check(s.state, 9001).isEmpty(), "in flight for 6 s: still waited for");
    assertEquals(2, monitor.check(s.state, 9002).size(), "in flight for more than two TTLs: proposed again");
  }
}
