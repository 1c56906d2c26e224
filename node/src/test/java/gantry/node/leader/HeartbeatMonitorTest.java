package gantry.node.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.node.leader.LeaderAction.NodeMark;
import gantry.node.leader.LeaderAction.Propose;
import gantry.v1.NodeStatus;
import gantry.v1.NodeStatusChanged;
import gantry.v1.Record;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Harness: the heartbeat monitor on replayed state with a controlled clock; no Raft, no threads.
 * Checks run every 100 ms, as the leader's loop ticks.
 */
class HeartbeatMonitorTest {
  final ReplayedState s = new ReplayedState().node("n1", 1000, 1000).node("n2", 1000, 1000);
  final HeartbeatMonitor monitor = new HeartbeatMonitor(Duration.ofMillis(3000));
  long now = -100;

  /** Ticks every 100 ms up to {@code until} (and at {@code until}); what was proposed. */
  List<LeaderAction> tickTo(long until) {
    List<LeaderAction> out = new ArrayList<>();
    while (now < until) {
      now = Math.min(now + 100, until);
      out.addAll(monitor.check(s.state, now));
    }
    return out;
  }

  static NodeStatusChanged change(LeaderAction a) {
    return ((Propose) a).records().getFirst().getNodeStatusChanged();
  }

  static List<String> nodes(List<LeaderAction> actions) {
    return actions.stream().map(a -> change(a).getNodeId()).sorted().toList();
  }

  @Test
  void aNodeIsMarkedDownOnlyAfterItsTtlWithoutHeartbeat() {
    assertTrue(tickTo(2500).isEmpty(), "every node starts with a full TTL");
    monitor.heartbeat("n1", 2500);
    assertTrue(tickTo(3000).isEmpty(), "at the deadline exactly, nobody is late yet");
    List<LeaderAction> late = tickTo(3001);
    assertEquals(List.of("n2"), nodes(late));
    assertEquals(NodeStatus.NODE_STATUS_DOWN, change(late.getFirst()).getStatus());
    assertTrue(tickTo(5500).isEmpty(), "one proposal in flight per node");
    assertEquals(List.of("n1"), nodes(tickTo(5501)), "n1's deadline, pushed by its heartbeat, passes later");
  }

  @Test
  void aFailedProposalIsRetriedAndACommittedOneForgetsTheDeadline() {
    List<LeaderAction> late = tickTo(3001);
    assertEquals(2, late.size());
    NodeMark failed = (NodeMark) ((Propose) late.get(0)).tag();
    NodeMark committed = (NodeMark) ((Propose) late.get(1)).tag();
    monitor.done(failed, false);
    monitor.done(committed, true);
    assertEquals(List.of(failed.nodeId()), nodes(tickTo(3101)),
        "the failed proposal is made again; the committed one's deadline is gone (the node is down in Raft's eyes)");
  }

  @Test
  void aProposalThatNeverFinishesStopsBlockingAfterTwoTtls() {
    assertEquals(2, tickTo(3001).size());
    assertTrue(tickTo(9001).isEmpty(), "in flight for 6 s: still waited for");
    assertEquals(2, tickTo(9101).size(), "in flight for more than two TTLs: proposed again");
  }

  @Test
  void aDownNodeThatHeartbeatsAgainIsMarkedReady() {
    s.apply(Record.newBuilder().setNodeStatusChanged(NodeStatusChanged.newBuilder().setNodeId("n1")
        .setStatus(NodeStatus.NODE_STATUS_DOWN)).build());
    monitor.heartbeat("n2", 0);
    assertTrue(tickTo(100).isEmpty(), "a down node without a heartbeat stays down");
    monitor.heartbeat("n1", 200);
    List<LeaderAction> back = tickTo(300);
    assertEquals(List.of("n1"), nodes(back));
    assertEquals(NodeStatus.NODE_STATUS_READY, change(back.getFirst()).getStatus());
  }

  @Test
  void aNewLeaderGivesEveryNodeAFullTtl() {
    tickTo(2000);
    monitor.reset();
    now = 9900;
    assertTrue(tickTo(10_000).isEmpty(), "the deadlines of the last term are forgotten");
    assertTrue(tickTo(13_000).isEmpty());
    assertEquals(2, tickTo(13_001).size());
  }

  @Test
  void aPausedMonitorGivesEveryReadyNodeAFullTtlInsteadOfMarkingThemDown() {
    tickTo(1000);
    now = 7000; // the process did not run for 6 s: no check, no heartbeat handled
    assertTrue(tickTo(7100).isEmpty(), "missed heartbeats during a pause of this process say nothing about the nodes");
    assertTrue(tickTo(10_100).isEmpty());
    assertEquals(2, tickTo(10_101).size(), "a full TTL from the end of the pause, then down");
  }
}
