package gantry.node.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.MessageLite;
import gantry.node.state.Changes;
import gantry.node.state.ClusterState;
import gantry.node.state.Mutations;
import gantry.scheduler.ClusterSnapshot;
import gantry.scheduler.Plan;
import gantry.scheduler.PlanCheck;
import gantry.scheduler.Scheduler;
import gantry.v1.EvalStatus;
import gantry.v1.Evaluation;
import gantry.v1.GroupSpec;
import gantry.v1.JobRegistered;
import gantry.v1.JobSpec;
import gantry.v1.Node;
import gantry.v1.NodeDrainSet;
import gantry.v1.NodeRegistered;
import gantry.v1.PlanApplied;
import gantry.v1.PortSpec;
import gantry.v1.Record;
import gantry.v1.Resources;
import gantry.v1.TaskSpec;
import org.junit.jupiter.api.Test;

/**
 * The leader's maintained view against the state it follows (replayed here without Raft):
 * its snapshots must agree with a snapshot built from everything, plans in flight must count
 * until their entry is applied, and a stale plan that would over-commit is refused.
 */
class SchedulingViewTest {
  final ClusterState state = new ClusterState();
  long index;
  final SchedulingView view = new SchedulingView(() -> state, () -> index);
  final Scheduler scheduler = new Scheduler();

  static final Mutations NONE = new Mutations() {
    @Override
    public void put(String key, MessageLite value) {}

    @Override
    public void delete(String key) {}
  };

  /** Replays one record as the apply thread would, then tells the view. */
  Changes apply(Record r) {
    Changes c = new Changes();
    state.replay(r, ++index, NONE, c);
    view.applied(c);
    return c;
  }

  Evaluation register(String job, int count, long cpu, boolean port) {
    TaskSpec.Builder t = TaskSpec.newBuilder().setName("t").setDriver("exec").addCommand("true")
        .setResources(Resources.newBuilder().setCpu(cpu).setMemory(64));
    if (port) t.addPorts(PortSpec.newBuilder().setName("http").setTo(8080));
    JobSpec spec = JobSpec.newBuilder().setName(job).setType("service")
        .addGroups(GroupSpec.newBuilder().setName("g").setCount(count).addTasks(t)).build();
    Changes c = apply(Record.newBuilder().setJobRegistered(JobRegistered.newBuilder().setSpec(spec).setTimeMs(index)).build());
    return state.eval(c.readyEvals().iterator().next()).orElseThrow();
  }

  void node(String id, long cpu) {
    apply(Record.newBuilder().setNodeRegistered(NodeRegistered.newBuilder().setNode(Node.newBuilder().setId(id)
        .setName(id).setEligible(true).addDrivers("exec").setCapacity(Resources.newBuilder().setCpu(cpu).setMemory(4096)))
        .setTimeMs(index)).build());
  }

  Changes commit(Evaluation e, Plan plan) {
    return apply(Record.newBuilder().setPlanApplied(PlanApplied.newBuilder().setEvalId(e.getId())
        .addAllPlaced(plan.placements()).setEvalStatus(EvalStatus.EVAL_STATUS_COMPLETE).setTimeMs(index)).build());
  }

  ClusterSnapshot full() {
    return ClusterSnapshot.of(index, state.nodes(), state.allJobs(), state.allocs());
  }

  @Test
  void snapshotsAgreeWithOneBuiltFromEverything() {
    for (int i = 0; i < 6; i++) node("n" + i, 2000);
    for (int j = 0; j < 5; j++) {
      Evaluation e = register("job" + j, 7, 300, j % 2 == 0);
      Plan p = scheduler.schedule(view.snapshot("job" + j), e);
      assertTrue(view.accept(e.getId(), p).fullyAccepted());
      commit(e, p);
    }
    apply(Record.newBuilder().setNodeDrainSet(NodeDrainSet.newBuilder().setNodeId("n2").setDrain(true)).build());
    node("n9", 1000);

    Evaluation next = register("late", 4, 250, true);
    ClusterSnapshot mine = view.snapshot("late");
    ClusterSnapshot all = full();
    assertEquals(all.nodeCount(), mine.nodeCount());
    for (int i = 0; i < all.nodeCount(); i++) {
      assertEquals(all.node(i), mine.node(i));
      assertEquals(all.cpuUsed(i), mine.cpuUsed(i), "cpu of " + all.node(i).getId());
      assertEquals(all.memUsed(i), mine.memUsed(i), "memory of " + all.node(i).getId());
      assertEquals(all.portUsed(i, 8080), mine.portUsed(i, 8080), "port 8080 of " + all.node(i).getId());
    }
    assertEquals(java.util.Arrays.toString(all.schedulableNodes()), java.util.Arrays.toString(mine.schedulableNodes()));
    assertEquals(scheduler.schedule(all, next), scheduler.schedule(mine, next), "the same plan from either snapshot");
  }

  @Test
  void aPlanInFlightCountsUntilItsEntryIsAppliedAndAStalePlanIsRefused() {
    node("n1", 1000);
    Evaluation a = register("a", 1, 600, false);
    Evaluation b = register("b", 1, 600, false);
    ClusterSnapshot beforeEither = view.snapshot("b");
    Plan planA = scheduler.schedule(view.snapshot("a"), a);
    Plan planB = scheduler.schedule(beforeEither, b);
    assertEquals(1, planB.placements().size(), "made on a snapshot without a's placement, b fits");

    assertTrue(view.accept(a.getId(), planA).fullyAccepted());
    assertEquals(600, view.snapshot("b").cpuUsed(0), "a's placement counts while in flight");
    PlanCheck checkB = view.accept(b.getId(), planB);
    assertFalse(checkB.fullyAccepted(), "b would over-commit n1 together with a");
    assertEquals("exhausted cpu", checkB.rejectedNodes().get("n1"));
    node("n0", 500);
    assertEquals(600, view.snapshot("b").cpuUsed(view.snapshot("b").nodeIndex("n1")),
        "still counted after a new node rebuilt the table (n1 moved from index 0 to 1)");

    commit(a, planA);
    assertEquals(0, view.inFlightCount());
    assertEquals(600, view.snapshot("b").cpuUsed(1), "counted once, now as committed");
  }

  @Test
  void anAbandonedPlanNoLongerCounts() {
    node("n1", 1000);
    Evaluation a = register("a", 1, 600, false);
    Plan planA = scheduler.schedule(view.snapshot("a"), a);
    view.accept(a.getId(), planA);
    view.abandon(a.getId());
    assertEquals(0, view.snapshot("a").cpuUsed(0));
  }

  @Test
  void aResetRecomputesFromTheState() {
    node("n1", 1000);
    Evaluation a = register("a", 2, 200, true);
    Plan planA = scheduler.schedule(view.snapshot("a"), a);
    view.accept(a.getId(), planA);
    view.reset();
    assertEquals(0, view.snapshot("a").cpuUsed(0), "in-flight plans of an earlier term are forgotten");
    commit(a, planA);
    view.reset();
    assertEquals(400, view.snapshot("a").cpuUsed(0));
    assertEquals(full().portUsed(0, planA.placements().get(0).getPorts(0).getHost()),
        view.snapshot("a").portUsed(0, planA.placements().get(0).getPorts(0).getHost()));
  }
}
