package gantry.node.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.node.leader.LeaderEvent.LeadershipGained;
import gantry.node.leader.LeaderEvent.LeadershipLost;
import gantry.node.leader.LeaderEvent.SessionOpened;
import gantry.node.leader.LeaderEvent.Tick;
import gantry.node.state.ClusterState;
import gantry.v1.AllocationStatusUpdate;
import gantry.v1.AllocationUpdates;
import gantry.v1.ClientStatus;
import gantry.v1.NodeStatus;
import gantry.v1.Record;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Harness: the whole loop, driven event by event with a controlled clock and a fake Raft that
 * records proposals. The state is read through the driver at each event, as the real one is.
 */
class LeaderLoopTest {
  ReplayedState current = new ReplayedState().node("n1", 1000, 1000);
  final List<Record> proposed = new ArrayList<>();
  final ManualClock clock = new ManualClock();
  boolean raftLeader = true;
  final List<Integer> sessionCounts = new ArrayList<>();
  /** When set, proposals stay in flight until the test completes them from {@link #held}. */
  boolean holdProposals;
  final List<CompletableFuture<Long>> held = new ArrayList<>();
  final LeaderLoop.Effects io = new LeaderLoop.Effects() {
    @Override
    public ClusterState state() {
      return current.state;
    }

    @Override
    public long appliedIndex() {
      return current.index;
    }

    @Override
    public CompletableFuture<Long> propose(List<Record> records) {
      proposed.addAll(records);
      if (!holdProposals) return CompletableFuture.completedFuture(current.index + 1);
      CompletableFuture<Long> f = new CompletableFuture<>();
      held.add(f);
      return f;
    }

    @Override
    public boolean isRaftLeader() {
      return raftLeader;
    }

    @Override
    public String leaderAddress() {
      return "m2:4647";
    }

    @Override
    public void agentSessions(int open) {
      sessionCounts.add(open);
    }
  };
  final SchedulingView view = new SchedulingView(() -> current.state, () -> current.index);
  final LeaderLoop loop = new LeaderLoop(io, clock, new EvalBroker(clock::millis), view,
      new HeartbeatMonitor(Duration.ofMillis(3000)), new Dispatcher(3000), new PlanApplier(view, new PipelineStats(new gantry.node.metrics.ManagerMetrics())),
      new StateGc(gantry.node.config.GcThresholds.DEFAULTS));

  List<String> markedDown() {
    return proposed.stream().filter(Record::hasNodeStatusChanged).map(Record::getNodeStatusChanged)
        .filter(c -> c.getStatus() == NodeStatus.NODE_STATUS_DOWN).map(c -> c.getNodeId()).toList();
  }

  @Test
  void afterASnapshotInstallTheLeaderReadsTheNewStateNotTheOldCopy() {
    // This peer is a follower that installs a snapshot (its state object is replaced), then leads.
    ReplayedState installed = new ReplayedState().node("n1", 1000, 1000).node("n9", 1000, 1000);
    String eval = installed.job("web", 1);
    installed.place(eval, ReplayedState.alloc("placed-meanwhile", "web", "n1", 100));
    current = installed;
    loop.post(new LeadershipGained());
    RecordingStream n1 = new RecordingStream();
    loop.post(new SessionOpened("n1", n1, false));
    loop.post(new Tick());
    loop.drain();
    assertEquals(List.of("placed-meanwhile"), n1.assigned(),
        "the agent takes assignments as its full desired set: a stale copy would stop this allocation");
    for (int t = 0; t < 31; t++) { // ticks every 100 ms for 3.1 s; n1 heartbeats, n9 does not
      clock.advance(100);
      loop.heard("n1");
      loop.post(new LeaderEvent.Heartbeat("n1", false));
      loop.post(new Tick());
      loop.drain();
    }
    assertEquals(List.of("n9"), markedDown(), "a node that joined while this peer was behind is watched too");
  }

  /**
   * The loop runs a due tick between two events whatever waits in its queue: a heartbeat that
   * arrived while the loop was behind counts from its arrival, not from when the loop handles it.
   */
  @Test
  void aHeartbeatCountsFromItsArrivalWhileTheLoopIsBehind() {
    current = new ReplayedState().node("n1", 1000, 1000).node("n2", 1000, 1000);
    loop.post(new LeadershipGained());
    loop.post(new Tick());
    loop.drain();
    ticksFor(2900);
    loop.heard("n1");                                   // the agent's heartbeat arrives...
    loop.post(new LeaderEvent.Heartbeat("n1", false));  // ...and waits behind other work
    ticksFor(200);                                      // while the ticks that fall due run
    assertEquals(List.of("n2"), markedDown(), "n1 was heard 2.9 s into its 3 s TTL");
    loop.drain();
    ticksFor(2800);
    assertEquals(List.of("n2"), markedDown(), "n1's deadline is a TTL after it was heard");
    ticksFor(100);
    assertEquals(List.of("n2", "n1"), markedDown());
  }

  /** The ticks of {@code ms} milliseconds, one every 100 ms, run as the loop runs a due tick between events. */
  private void ticksFor(long ms) {
    for (long t = 0; t < ms; t += 100) {
      clock.advance(100);
      loop.handle(new Tick());
    }
  }

  @Test
  void nothingIsProposedWhileNotLeadingAndATickStepsDownADeposedLeader() {
    clock.advance(10_000);
    loop.post(new Tick());
    loop.drain();
    assertTrue(proposed.isEmpty(), "a follower marks no node down");
    loop.post(new LeadershipGained());
    RecordingStream n1 = new RecordingStream();
    loop.post(new SessionOpened("n1", n1, false));
    loop.drain();
    raftLeader = false;
    loop.post(new Tick());
    loop.drain();
    assertTrue(!loop.isLeading());
    assertEquals("m2:4647", n1.last().getNotLeader().getLeaderGrpcAddress());
    loop.post(new LeadershipLost());
    loop.drain();
    assertTrue(proposed.isEmpty());
  }

  @Test
  void theOpenSessionCountIsReportedOnEveryChange() {
    loop.post(new LeadershipGained());
    RecordingStream a = new RecordingStream();
    RecordingStream b = new RecordingStream();
    loop.post(new SessionOpened("n1", a, false));
    loop.post(new SessionOpened("n2", b, false));
    loop.post(new LeaderEvent.SessionClosed("n1", a));
    loop.post(new SessionOpened("n1", new RecordingStream(), false));
    loop.post(new LeadershipLost());
    loop.drain();
    assertEquals(List.of(1, 2, 1, 2, 0), sessionCounts, "a deposed leader holds no sessions");
  }

  /**
   * Agents report faster than Raft commits: the loop keeps no more than its bound of status
   * proposals in flight, later reports wait and replace older ones of the same allocation, and
   * once the log catches up the newest status of every allocation has been proposed.
   */
  @Test
  void statusReportsWaitForRoomAndTheNewestOfEachAllocationIsProposed() {
    int count = 5_000;
    current = new ReplayedState().node("n1", 100_000, 100_000);
    String eval = current.job("web", count);
    gantry.v1.Allocation[] allocs = new gantry.v1.Allocation[count];
    for (int i = 0; i < count; i++) allocs[i] = ReplayedState.alloc("a" + i, "web", "n1", 1);
    current.place(eval, allocs);
    loop.post(new LeadershipGained());
    loop.drain();
    holdProposals = true;
    for (ClientStatus status : List.of(ClientStatus.CLIENT_STATUS_RUNNING, ClientStatus.CLIENT_STATUS_FAILED)) {
      for (int i = 0; i < count; i++) {
        loop.reported("n1", AllocationUpdates.newBuilder().addUpdates(
            AllocationStatusUpdate.newBuilder().setAllocationId("a" + i).setClientStatus(status)).build());
      }
      loop.drain();
      assertEquals(StatusCommits.MAX_IN_FLIGHT, held.size(), "reports beyond the bound wait");
    }
    Map<String, ClientStatus> last = new HashMap<>();
    int updates = 0;
    for (int done = 0; done < held.size(); done++) {
      assertTrue(held.size() - done <= StatusCommits.MAX_IN_FLIGHT, "never more in flight than the bound");
      held.get(done).complete((long) done);
      loop.drain();
    }
    for (Record r : proposed) {
      for (AllocationStatusUpdate u : r.getAllocationsUpdated().getUpdatesList()) {
        last.put(u.getAllocationId(), u.getClientStatus());
        updates++;
      }
    }
    assertEquals(count, last.size());
    assertTrue(last.values().stream().allMatch(st -> st == ClientStatus.CLIENT_STATUS_FAILED), "the newest of each");
    assertTrue(updates < 2 * count, "reports that waited were replaced, not queued: " + updates + " proposed");
  }
}
