package gantry.agent.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.agent.runner.AllocationReconciler.Held;
import gantry.v1.Allocation;
import gantry.v1.Assignment;
import gantry.v1.ClientStatus;
import gantry.v1.DesiredStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AllocationReconcilerTest {
  static Assignment a(String id, DesiredStatus d, ClientStatus c) {
    return Assignment.newBuilder().setAllocation(Allocation.newBuilder().setId(id).setDesiredStatus(d)
        .setClientStatus(c)).build();
  }

  static Assignment run(String id) {
    return a(id, DesiredStatus.DESIRED_STATUS_RUN, ClientStatus.CLIENT_STATUS_PENDING);
  }

  static List<String> ids(List<Assignment> l) {
    return l.stream().map(x -> x.getAllocation().getId()).toList();
  }

  @Test
  void startsNewRunAllocationsAndUpdatesHeldOnes() {
    var plan = AllocationReconciler.reconcile(List.of(run("a"), run("b")), Map.of("a", new Held("a", false)));
    assertEquals(List.of("b"), ids(plan.start()));
    assertEquals(List.of("a"), ids(plan.update()));
    assertTrue(plan.stop().isEmpty() && plan.forget().isEmpty());
  }

  @Test
  void stopsDesiredStopOnceAndForgetsUnassigned() {
    var stop = a("a", DesiredStatus.DESIRED_STATUS_STOP, ClientStatus.CLIENT_STATUS_RUNNING);
    var plan = AllocationReconciler.reconcile(List.of(stop),
        Map.of("a", new Held("a", false), "z", new Held("z", false)));
    assertEquals(List.of("a"), plan.stop());
    assertEquals(List.of("z"), plan.forget());
    var again = AllocationReconciler.reconcile(List.of(stop), Map.of("a", new Held("a", true)));
    assertTrue(again.stop().isEmpty());
    assertEquals(List.of("a"), ids(again.update()));
  }

  @Test
  void aDeltaLeavesWhatItDoesNotNameAndForgetsOnlyItsRemovedIds() {
    Map<String, Held> held = Map.of("a", new Held("a", false), "b", new Held("b", false), "c", new Held("c", false));
    var stopB = a("b", DesiredStatus.DESIRED_STATUS_STOP, ClientStatus.CLIENT_STATUS_RUNNING);
    var plan = AllocationReconciler.reconcileDelta(List.of(run("n"), stopB), List.of("c", "gone", "c"), held);
    assertEquals(List.of("n"), ids(plan.start()));
    assertEquals(List.of("b"), plan.stop());
    assertEquals(List.of("b"), ids(plan.update()), "a is not in the delta: its runner is left alone");
    assertEquals(List.of("c"), plan.forget(), "only held ids, once; a is neither assigned here nor removed");
  }

  @Test
  void neverStartsWhatIsStoppedOrAlreadyTerminal() {
    var plan = AllocationReconciler.reconcile(List.of(
        a("s", DesiredStatus.DESIRED_STATUS_STOP, ClientStatus.CLIENT_STATUS_PENDING),
        a("c", DesiredStatus.DESIRED_STATUS_RUN, ClientStatus.CLIENT_STATUS_COMPLETE),
        a("f", DesiredStatus.DESIRED_STATUS_RUN, ClientStatus.CLIENT_STATUS_FAILED),
        run("n"), run("n")), Map.of());
    assertEquals(List.of("n"), ids(plan.start()));
  }

  @Test
  void emptyAssignmentsForgetEverything() {
    var plan = AllocationReconciler.reconcile(List.of(), Map.of("b", new Held("b", true), "a", new Held("a", false)));
    assertEquals(List.of("a", "b"), plan.forget());
    assertTrue(AllocationReconciler.reconcile(List.of(), Map.of()).isEmpty());
  }
}
