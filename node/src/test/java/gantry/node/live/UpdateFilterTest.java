package gantry.node.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import gantry.v1.AllocationMetrics;
import gantry.v1.AllocationStatusUpdate;
import gantry.v1.AllocationUpdates;
import gantry.v1.AllocationsUpdated;
import gantry.v1.ClientStatus;
import gantry.v1.Record;
import gantry.v1.TaskState;
import org.junit.jupiter.api.Test;

class UpdateFilterTest {
  LiveStateFixture fx = new LiveStateFixture().placed("a1");
  UpdateFilter filter = new UpdateFilter(() -> fx.state);

  static AllocationStatusUpdate status(String state, long cpuSampleAt) {
    return AllocationStatusUpdate.newBuilder().setAllocationId("a1").setClientStatus(ClientStatus.CLIENT_STATUS_RUNNING)
        .putTasks("t", TaskState.newBuilder().setState(state).build())
        .setMetrics(AllocationMetrics.newBuilder().setCpuPercent(3).setTimeMs(cpuSampleAt)).build();
  }

  static AllocationUpdates of(AllocationStatusUpdate u) {
    return AllocationUpdates.newBuilder().addUpdates(u).build();
  }

  /** What the leader would propose and every peer replay. */
  void commit(AllocationUpdates u) {
    fx.apply(Record.newBuilder().setAllocationsUpdated(AllocationsUpdated.newBuilder().addAllUpdates(u.getUpdatesList())).build());
  }

  @Test
  void aMetricsOnlyUpdateOfAnAppliedStatusCostsNoRecord() {
    AllocationUpdates first = filter.changed(of(status("running", 1)));
    assertEquals(1, first.getUpdatesCount());
    assertFalse(first.getUpdates(0).hasMetrics(), "metrics are never replicated");
    commit(first);
    assertEquals(0, filter.changed(of(status("running", 2))).getUpdatesCount(), "same status, new sample: dropped");
  }

  @Test
  void anUnappliedStatusIsPassedOnAgainAndAnABASequenceEndsOnA() {
    AllocationUpdates a = filter.changed(of(status("running", 1)));
    commit(a);
    assertEquals(1, filter.changed(of(status("pending", 2))).getUpdatesCount(), "B is new");
    // B is still on its way through Raft; A again must not be dropped, or B would win.
    assertEquals(1, filter.changed(of(status("running", 3))).getUpdatesCount(), "A after B is passed on");
    // Until it is applied, the same update is passed on again (the earlier proposal may have failed).
    assertEquals(1, filter.changed(of(status("pending", 4))).getUpdatesCount());
  }

  @Test
  void aDeployHealthDecisionIsAlwaysPassedOnUntilApplied() {
    commit(filter.changed(of(status("running", 1))));
    AllocationStatusUpdate healthy = status("running", 2).toBuilder()
        .setDeployHealth(gantry.v1.DeployHealth.newBuilder().setStatus("healthy").setReason("ok")).build();
    assertEquals(1, filter.changed(of(healthy)).getUpdatesCount(), "the decision is new");
    assertEquals(1, filter.changed(of(healthy.toBuilder().setMetrics(AllocationMetrics.getDefaultInstance()).build())).getUpdatesCount(),
        "and passed on again while not applied, although equal to the last one passed on");
    commit(of(healthy));
    assertEquals(0, filter.changed(of(healthy)).getUpdatesCount(), "once applied, repeating it costs no record");
  }
}
