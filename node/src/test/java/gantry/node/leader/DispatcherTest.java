package gantry.node.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.node.leader.LeaderAction.Close;
import gantry.node.leader.LeaderAction.Send;
import gantry.v1.Assignment;
import gantry.v1.Assignments;
import gantry.v1.ClientStatus;
import gantry.v1.DesiredStatus;
import gantry.v1.ManagerMessage;
import gantry.v1.NodeDrainSet;
import gantry.v1.Record;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Harness: the dispatcher on replayed state; what it decides to send and propose. */
class DispatcherTest {
  final ReplayedState s = new ReplayedState().node("n1", 1000, 1000).node("n2", 1000, 1000);
  final Dispatcher dispatcher = new Dispatcher(3000);

  static void run(List<LeaderAction> actions) {
    for (LeaderAction a : actions) {
      if (a instanceof Send send) send.to().send(send.message());
      if (a instanceof Close close) close.stream().close();
    }
  }

  @Test
  void aNodeGetsItsOwnAssignmentsOnOpenAndWhenTouched() {
    String eval = s.job("web", 2);
    s.place(eval, ReplayedState.alloc("a1", "web", "n1", 100), ReplayedState.alloc("a2", "web", "n2", 100));
    RecordingStream n1 = new RecordingStream();
    run(dispatcher.open("n1", n1, false, s.state, s.index));
    assertEquals(List.of("a1"), n1.assigned());
    String eval2 = s.job("db", 1);
    var changes = s.place(eval2, ReplayedState.alloc("b1", "db", "n1", 100));
    run(dispatcher.touched(changes, s.state, s.index));
    assertEquals(Set.of("a1", "b1"), Set.copyOf(n1.assigned()), "an agent that takes no deltas gets the whole set");
    assertTrue(!n1.last().getAssignments().getDelta());
  }

  @Test
  void anAgentThatAcceptsDeltasGetsTheWholeSetOnOpenThenOnlyWhatChanged() {
    String eval = s.job("web", 2);
    s.place(eval, ReplayedState.alloc("a1", "web", "n1", 100), ReplayedState.alloc("a2", "web", "n2", 100));
    RecordingStream n1 = new RecordingStream();
    run(dispatcher.open("n1", n1, true, s.state, s.index));
    assertTrue(!n1.last().getAssignments().getDelta(), "a session starts from the whole set");
    assertEquals(List.of("a1"), n1.assigned());

    String db = s.job("db", 2);
    run(dispatcher.touched(s.place(db, ReplayedState.alloc("b1", "db", "n1", 100),
        ReplayedState.alloc("b2", "db", "n2", 100)), s.state, s.index));
    Assignments placed = n1.last().getAssignments();
    assertTrue(placed.getDelta());
    assertEquals(List.of("b1"), n1.assigned(), "only the new allocation, and only this node's");
    assertEquals(0, placed.getRemovedCount());

    run(dispatcher.touched(s.stop(db, "b1"), s.state, s.index));
    assertEquals(List.of("b1"), n1.assigned(), "a stop is sent while the allocation still runs");
    assertEquals(DesiredStatus.DESIRED_STATUS_STOP, n1.last().getAssignments().getAllocations(0).getAllocation().getDesiredStatus());

    run(dispatcher.touched(s.report("b1", ClientStatus.CLIENT_STATUS_COMPLETE), s.state, s.index));
    Assignments finished = n1.last().getAssignments();
    assertEquals(List.of("b1"), finished.getRemovedList(), "a finished allocation is no longer assigned");
    assertEquals(0, finished.getAllocationsCount());
  }

  @Test
  void deltasAppliedInOrderGiveTheWholeSetOfTheState() {
    RecordingStream n1 = new RecordingStream();
    run(dispatcher.open("n1", n1, true, s.state, s.index));
    String web = s.job("web", 3);
    run(dispatcher.touched(s.place(web, ReplayedState.alloc("a1", "web", "n1", 100)), s.state, s.index));
    run(dispatcher.touched(s.place(web, ReplayedState.alloc("a2", "web", "n1", 100),
        ReplayedState.alloc("a3", "web", "n2", 100)), s.state, s.index));
    run(dispatcher.touched(s.report("a1", ClientStatus.CLIENT_STATUS_RUNNING), s.state, s.index));
    run(dispatcher.touched(s.stop(web, "a2"), s.state, s.index));
    run(dispatcher.touched(s.report("a1", ClientStatus.CLIENT_STATUS_FAILED), s.state, s.index));
    String db = s.job("db", 1);
    run(dispatcher.touched(s.place(db, ReplayedState.alloc("b1", "db", "n1", 100)), s.state, s.index));

    Map<String, Assignment> merged = new LinkedHashMap<>();
    for (ManagerMessage m : n1.sent) {
      Assignments a = m.getAssignments();
      if (!a.getDelta()) merged.clear();
      for (Assignment one : a.getAllocationsList()) merged.put(one.getAllocation().getId(), one);
      for (String id : a.getRemovedList()) merged.remove(id);
    }
    Map<String, Assignment> whole = new LinkedHashMap<>();
    for (Assignment one : Dispatcher.assignments("n1", s.state, s.index).getAssignments().getAllocationsList()) {
      whole.put(one.getAllocation().getId(), one);
    }
    assertEquals(Set.of("a2", "b1"), whole.keySet(), "a1 failed; a2 is stopping");
    assertEquals(whole, merged, "what the agent holds after the deltas is what a whole set would say");
    assertTrue(n1.sent.size() > 1 && n1.sent.subList(1, n1.sent.size()).stream()
        .allMatch(m -> m.getAssignments().getDelta()));
  }

  @Test
  void aNodeThatChangedItselfGetsTheWholeSetEvenWithDeltas() {
    String eval = s.job("web", 1);
    s.place(eval, ReplayedState.alloc("a1", "web", "n1", 100));
    RecordingStream n1 = new RecordingStream();
    run(dispatcher.open("n1", n1, true, s.state, s.index));
    var changes = s.apply(Record.newBuilder().setNodeDrainSet(NodeDrainSet.newBuilder().setNodeId("n1").setDrain(true)
        .setTimeMs(3)).build());
    run(dispatcher.touched(changes, s.state, s.index));
    assertTrue(!n1.last().getAssignments().getDelta());
    assertEquals(List.of("a1"), n1.assigned());
  }

  @Test
  void eachAssignmentCarriesItsGroupSpecOnce() {
    String eval = s.job("web", 2);
    s.place(eval, ReplayedState.alloc("a1", "web", "n1", 100));
    RecordingStream n1 = new RecordingStream();
    run(dispatcher.open("n1", n1, false, s.state, s.index));
    var assignment = n1.last().getAssignments().getAllocations(0);
    assertEquals("g", assignment.getGroup().getName(), "the agent runs the group spec it is given");
    assertEquals(2, assignment.getGroup().getCount());
    assertTrue(!assignment.getAllocation().hasGroupSpec(), "not a second copy inside the allocation");
    assertEquals(s.state.alloc("a1").orElseThrow().toBuilder().clearGroupSpec().build(), assignment.getAllocation());
  }

  @Test
  void aNewSessionReplacesAndClosesTheOldOne() {
    RecordingStream old = new RecordingStream();
    RecordingStream fresh = new RecordingStream();
    run(dispatcher.open("n1", old, false, s.state, s.index));
    run(dispatcher.open("n1", fresh, true, s.state, s.index));
    assertTrue(old.closed);
    dispatcher.closed("n1", old);
    assertEquals(1, dispatcher.sessionCount(), "closing the replaced stream leaves the new one");
  }

  @Test
  void losingTheLeadershipSendsEveryAgentToTheNewLeader() {
    RecordingStream n1 = new RecordingStream();
    run(dispatcher.open("n1", n1, false, s.state, s.index));
    run(dispatcher.leadershipLost("10.0.0.2:4647"));
    assertEquals("10.0.0.2:4647", n1.last().getNotLeader().getLeaderGrpcAddress());
    assertTrue(n1.closed);
    assertEquals(0, dispatcher.sessionCount());
  }

  @Test
  void aSessionOfANodeTheGcDeletedIsClosedSoItsAgentRegistersAgain() {
    RecordingStream n1 = new RecordingStream();
    run(dispatcher.open("n1", n1, true, s.state, s.index));
    s.apply(Record.newBuilder().setNodeStatusChanged(gantry.v1.NodeStatusChanged.newBuilder().setNodeId("n1")
        .setStatus(gantry.v1.NodeStatus.NODE_STATUS_DOWN).setTimeMs(5)).build());
    var changes = s.apply(Record.newBuilder().setGarbageCollected(gantry.v1.GarbageCollected.newBuilder().setTimeMs(9)
        .addNodeIds("n1")).build());

    run(dispatcher.touched(changes, s.state, s.index));

    assertTrue(n1.closed, "the session is closed");
    assertEquals(0, dispatcher.sessionCount());
  }
}
