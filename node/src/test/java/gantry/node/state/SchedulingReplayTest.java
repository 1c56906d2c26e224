package gantry.node.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.Allocation;
import gantry.v1.AllocationStatusUpdate;
import gantry.v1.AllocationStop;
import gantry.v1.AllocationsUpdated;
import gantry.v1.ClientStatus;
import gantry.v1.DesiredStatus;
import gantry.v1.EvalStatus;
import gantry.v1.Evaluation;
import gantry.v1.Node;
import gantry.v1.NodeDrainSet;
import gantry.v1.NodeRegistered;
import gantry.v1.NodeStatus;
import gantry.v1.NodeStatusChanged;
import gantry.v1.PlanApplied;
import gantry.v1.Record;
import gantry.v1.Resources;
import java.util.List;
import org.junit.jupiter.api.Test;

class SchedulingReplayTest extends ReplayHarness {
  static Record node(String id, long cpu, long mem) {
    return Record.newBuilder().setNodeRegistered(NodeRegistered.newBuilder().setNode(Node.newBuilder().setId(id).setName(id)
        .setCapacity(Resources.newBuilder().setCpu(cpu).setMemory(mem)))).build();
  }

  static Allocation alloc(String id, String node, long cpu, long mem) {
    return Allocation.newBuilder().setId(id).setJob("web").setJobVersion(1).setGroup("g").setNodeId(node)
        .setDesiredStatus(DesiredStatus.DESIRED_STATUS_RUN).setClientStatus(ClientStatus.CLIENT_STATUS_PENDING)
        .setResources(Resources.newBuilder().setCpu(cpu).setMemory(mem)).build();
  }

  Evaluation registerJob() {
    Changes c = apply(ClusterStateTest.register(ClusterStateTest.spec("web", 2), 1));
    assertEquals(1, c.readyEvals().size(), "a registration makes an evaluation");
    return state.eval(c.readyEvals().iterator().next()).orElseThrow();
  }

  Record plan(Evaluation e, Allocation... placed) {
    return Record.newBuilder().setPlanApplied(PlanApplied.newBuilder().setEvalId(e.getId())
        .setEvalStatus(EvalStatus.EVAL_STATUS_COMPLETE).addAllPlaced(java.util.List.of(placed))).build();
  }

  @Test
  void nodesRegisterReadyAndKeepTheOperatorsDrain() {
    apply(node("n1", 1000, 1024));
    assertEquals(NodeStatus.NODE_STATUS_READY, state.node("n1").orElseThrow().getStatus());
    apply(Record.newBuilder().setNodeDrainSet(NodeDrainSet.newBuilder().setNodeId("n1").setDrain(true)).build());
    apply(node("n1", 1000, 1024));
    Node n = state.node("n1").orElseThrow();
    assertTrue(n.getDraining());
    assertFalse(n.getEligible());
  }

  @Test
  void planPlacesWhatFitsAndDropsOverCommitWithAFollowUp() {
    apply(node("n1", 1000, 1024));
    apply(node("n2", 1000, 1024));
    Evaluation e = registerJob();
    Changes c = apply(plan(e, alloc("a1", "n1", 600, 100), alloc("a2", "n2", 600, 100), alloc("a3", "n2", 600, 100)));
    assertTrue(state.alloc("a1").isPresent());
    assertTrue(state.alloc("a2").isEmpty() && state.alloc("a3").isEmpty(),
        "n2's placements together over-commit its CPU: refused as a whole, as the leader's plan check does");
    assertEquals(EvalStatus.EVAL_STATUS_COMPLETE, state.eval(e.getId()).orElseThrow().getStatus());
    assertEquals(1, c.readyEvals().size(), "a follow-up evaluation for what was dropped");
    assertTrue(c.touchedNodes().contains("n1"));
    assertEquals("g", state.alloc("a1").orElseThrow().getGroupSpec().getName(), "the agent gets the group spec");
  }

  Record replace(Evaluation e, String old, Allocation replacement) {
    return Record.newBuilder().setPlanApplied(PlanApplied.newBuilder().setEvalId(e.getId())
        .setEvalStatus(EvalStatus.EVAL_STATUS_COMPLETE).addPlaced(replacement)
        .addStops(AllocationStop.newBuilder().setAllocationId(old).setDescription("updated")
            .setReplacedBy(replacement.getId()))).build();
  }

  @Test
  void aReplacementOnAFullNodeCommitsInTheSameEntryAsItsStop() {
    apply(node("n1", 1000, 1024));
    Evaluation e = registerJob();
    apply(plan(e, alloc("old", "n1", 600, 600)));
    Changes c = apply(replace(e, "old", alloc("new", "n1", 600, 600)));
    assertEquals(DesiredStatus.DESIRED_STATUS_STOP, state.alloc("old").orElseThrow().getDesiredStatus());
    Allocation placed = state.alloc("new").orElseThrow(() -> new AssertionError(
        "the replacement must be placed in the entry that stops the allocation it replaces"));
    assertEquals(index, placed.getCreateIndex());
    assertTrue(c.readyEvals().isEmpty(), "no plan-rejected re-evaluation: nothing was dropped");
  }

  @Test
  void aStopIsDroppedWithTheReplacementItMadeRoomFor() {
    apply(node("n1", 1000, 1024));
    Evaluation e = registerJob();
    apply(plan(e, alloc("old", "n1", 600, 600)));
    Changes c = apply(replace(e, "old", alloc("new", "gone", 600, 600)));
    assertTrue(state.alloc("new").isEmpty(), "its node does not exist");
    assertEquals(DesiredStatus.DESIRED_STATUS_RUN, state.alloc("old").orElseThrow().getDesiredStatus(),
        "the old allocation keeps running while its replacement is not placed");
    assertEquals("plan-rejected", state.eval(c.readyEvals().iterator().next()).orElseThrow().getTriggeredBy());
  }

  @Test
  void placementsOnADownOrDrainedNodeAreDropped() {
    apply(node("n1", 1000, 1024));
    apply(Record.newBuilder().setNodeStatusChanged(NodeStatusChanged.newBuilder().setNodeId("n1")
        .setStatus(NodeStatus.NODE_STATUS_DOWN)).build());
    Evaluation e = registerJob();
    apply(plan(e, alloc("a1", "n1", 100, 100)));
    assertTrue(state.alloc("a1").isEmpty());
  }

  @Test
  void nodeDownEvaluatesTheJobsThatRanThere() {
    apply(node("n1", 1000, 1024));
    Evaluation e = registerJob();
    apply(plan(e, alloc("a1", "n1", 100, 100)));
    Changes c = apply(Record.newBuilder().setNodeStatusChanged(NodeStatusChanged.newBuilder().setNodeId("n1")
        .setStatus(NodeStatus.NODE_STATUS_DOWN)).build());
    assertEquals(1, c.readyEvals().size());
    assertEquals("node-update", state.eval(c.readyEvals().iterator().next()).orElseThrow().getTriggeredBy());
  }

  @Test
  void aFailedAllocationIsReplacedAndStopsApply() {
    apply(node("n1", 1000, 1024));
    Evaluation e = registerJob();
    apply(plan(e, alloc("a1", "n1", 100, 100), alloc("a2", "n1", 100, 100)));
    Changes running = apply(update("a1", ClientStatus.CLIENT_STATUS_RUNNING));
    assertTrue(running.readyEvals().isEmpty());
    Changes failed = apply(update("a1", ClientStatus.CLIENT_STATUS_FAILED));
    assertEquals(1, failed.readyEvals().size(), "a failed allocation is re-evaluated");
    apply(Record.newBuilder().setPlanApplied(PlanApplied.newBuilder().setEvalId(e.getId())
        .addStops(AllocationStop.newBuilder().setAllocationId("a2").setDescription("scaled down"))).build());
    assertEquals(DesiredStatus.DESIRED_STATUS_STOP, state.alloc("a2").orElseThrow().getDesiredStatus());
  }

  @Test
  void aFinishedAllocationNeverComesBackToRunning() {
    apply(node("n1", 1000, 1024));
    Evaluation e = registerJob();
    apply(plan(e, alloc("a1", "n1", 100, 100), alloc("a2", "n1", 100, 100)));
    apply(update("a1", ClientStatus.CLIENT_STATUS_FAILED));
    apply(update("a2", ClientStatus.CLIENT_STATUS_LOST));
    Changes stale = apply(update("a1", ClientStatus.CLIENT_STATUS_RUNNING));
    apply(update("a2", ClientStatus.CLIENT_STATUS_RUNNING));
    assertEquals(ClientStatus.CLIENT_STATUS_FAILED, state.alloc("a1").orElseThrow().getClientStatus());
    assertEquals(ClientStatus.CLIENT_STATUS_LOST, state.alloc("a2").orElseThrow().getClientStatus());
    assertTrue(stale.readyEvals().isEmpty());
    apply(update("a2", ClientStatus.CLIENT_STATUS_FAILED));
    assertEquals(ClientStatus.CLIENT_STATUS_FAILED, state.alloc("a2").orElseThrow().getClientStatus(),
        "one finished status may still follow another (the agent's own word on how it ended)");
  }

  @Test
  void aJobWhoseAllocationsKeepFailingIsReplacedWithAGrowingDelay() {
    apply(node("n1", 4000, 4096));
    Evaluation e = registerJob();
    List<Long> waits = new java.util.ArrayList<>();
    for (int i = 0; i < 5; i++) {
      apply(plan(e, alloc("f" + i, "n1", 100, 100)));
      Changes failed = apply(update("f" + i, ClientStatus.CLIENT_STATUS_FAILED));
      Evaluation next = state.eval(failed.readyEvals().iterator().next()).orElseThrow();
      assertEquals("alloc-failure", next.getTriggeredBy());
      waits.add(next.getWaitUntilMs() == 0 ? 0 : next.getWaitUntilMs() - next.getCreateTimeMs());
    }
    assertEquals(List.of(0L, 1000L, 2000L, 4000L, 8000L), waits, "the first failure is replaced at once, then 1 s, 2 s, 4 s...");
    apply(plan(e, alloc("cut", "n1", 100, 100)));
    Changes fenced = apply(Record.newBuilder().setAllocationsUpdated(AllocationsUpdated.newBuilder().addUpdates(
        AllocationStatusUpdate.newBuilder().setAllocationId("cut").setClientStatus(ClientStatus.CLIENT_STATUS_FAILED)
            .setDescription("fenced: no manager for 4s"))).build());
    assertEquals(8000L, state.eval(fenced.readyEvals().iterator().next()).orElseThrow().getWaitUntilMs(),
        "a fenced allocation does not count as one more failure of the task");
  }

  @Test
  void aBlockedEvaluationIsRetriedWhenANodeJoins() {
    Evaluation e = registerJob();
    apply(Record.newBuilder().setPlanApplied(PlanApplied.newBuilder().setEvalId(e.getId())
        .setEvalStatus(EvalStatus.EVAL_STATUS_BLOCKED)).build());
    Changes c = apply(node("n2", 1000, 1024));
    assertTrue(c.readyEvals().contains(e.getId()));
    assertEquals(EvalStatus.EVAL_STATUS_PENDING, state.eval(e.getId()).orElseThrow().getStatus());
  }

  @Test
  void evaluationIdsAreTheSameOnEveryPeer() {
    ClusterState other = new ClusterState();
    Changes a = new Changes();
    Changes b = new Changes();
    Record r = ClusterStateTest.register(ClusterStateTest.spec("web", 2), 1);
    state.replay(r, 9, out, a);
    other.replay(r, 9, new ClusterStateTest.MapMutations(), b);
    assertEquals(a.readyEvals(), b.readyEvals());
  }

  static Record update(String id, ClientStatus status) {
    return Record.newBuilder().setAllocationsUpdated(AllocationsUpdated.newBuilder().addUpdates(
        AllocationStatusUpdate.newBuilder().setAllocationId(id).setClientStatus(status))).build();
  }

  static Record blocked(Evaluation e) {
    return Record.newBuilder().setPlanApplied(PlanApplied.newBuilder().setEvalId(e.getId())
        .setEvalStatus(EvalStatus.EVAL_STATUS_BLOCKED)
        .putFailedGroups("g", gantry.v1.PlacementFailure.newBuilder().setUnplaced(2).setMessage("no node is ready").build()))
        .build();
  }

  @Test
  void aBlockedPlanStaysBlockedWhenNoNodeCameUpSinceItsEvaluationWasReady() {
    apply(node("n1", 1000, 1024));
    Evaluation e = registerJob();
    Changes c = apply(blocked(e));
    assertEquals(EvalStatus.EVAL_STATUS_BLOCKED, state.eval(e.getId()).orElseThrow().getStatus());
    assertTrue(c.readyEvals().isEmpty(), c.readyEvals().toString());
    Changes up = apply(node("n2", 1000, 1024));
    assertTrue(up.readyEvals().contains(e.getId()), "a node coming up unblocks it");
  }

  @Test
  void aPlanBlockedWhileANodeCameUpIsEvaluatedAgain() {
    apply(node("n1", 1000, 1024));
    apply(Record.newBuilder().setNodeStatusChanged(NodeStatusChanged.newBuilder().setNodeId("n1")
        .setStatus(NodeStatus.NODE_STATUS_DOWN)).build());
    Evaluation e = registerJob();
    // n1 rejoins while the scheduler works on e from a snapshot where it was down: the unblock
    // finds e pending, not blocked, so it leaves it alone.
    Changes up = apply(node("n1", 1000, 1024));
    assertFalse(up.readyEvals().contains(e.getId()));
    Changes c = apply(blocked(e));
    Evaluation after = state.eval(e.getId()).orElseThrow();
    assertEquals(EvalStatus.EVAL_STATUS_PENDING, after.getStatus(), "evaluated again: n1 may take it now");
    assertTrue(after.getFailedGroupsMap().isEmpty());
    assertTrue(c.readyEvals().contains(e.getId()));
    // The second try found no room either (n1 came up before it was ready again): blocked now.
    apply(blocked(after));
    assertEquals(EvalStatus.EVAL_STATUS_BLOCKED, state.eval(e.getId()).orElseThrow().getStatus());
  }
}
