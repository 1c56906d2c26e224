package gantry.agent.runner;

import static gantry.agent.Waits.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.agent.driver.sim.SimDriver;
import gantry.agent.health.HealthProber;
import gantry.v1.Assignments;
import gantry.v1.ClientStatus;
import gantry.v1.LogsRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Failed allocations the managers dropped stay (with their logs) for a while; others go at once. */
class AllocationSupervisorTest {
  final SimDriver sim = new SimDriver();
  final AllocationSupervisor supervisor = new AllocationSupervisor(DriverSet.simulated(sim, List.of("docker", "exec")),
      AllocationStore.none(), Clock.systemUTC(), c -> new HealthProber.Result(true, "HTTP 200"),
      AllocationRunnerTest.FAST);

  @Test
  void aFailedAllocationIsKeptForItsLogsThenForgotten() throws Exception {
    var failing = AllocationRunnerTest.assignment("f1", 0, "main");
    var healthy = AllocationRunnerTest.assignment("ok1", 0, "main");
    // No checks: the sim driver answers no probes.
    failing = failing.toBuilder().setGroup(failing.getGroup().toBuilder().setTasks(0,
        failing.getGroup().getTasks(0).toBuilder().clearCheck())).build();
    healthy = healthy.toBuilder().setGroup(healthy.getGroup().toBuilder().setTasks(0,
        healthy.getGroup().getTasks(0).toBuilder().clearCheck())).build();
    supervisor.onAssignments(Assignments.newBuilder().addAllocations(failing).addAllocations(healthy).build());
    waitFor("both running", AllocationRunnerTest.WAIT).until(() -> !sim.recover("f1").isEmpty()
        && !sim.recover("ok1").isEmpty());
    sim.exit(sim.recover("f1").getFirst(), 3);
    waitFor("f1 failed", AllocationRunnerTest.WAIT)
        .until(() -> supervisor.runner("f1").status().getClientStatus() == ClientStatus.CLIENT_STATUS_FAILED);

    supervisor.onAssignments(Assignments.getDefaultInstance());
    waitFor("ok1 forgotten at once", AllocationRunnerTest.WAIT).until(() -> supervisor.runner("ok1") == null);
    assertNotNull(supervisor.runner("f1"), "the failed one is kept");
    // Dropping it would have been a stop sent to its runner in onAssignments, which has returned.
    assertFalse(supervisor.runner("f1").isStopping(), "the failed one was not told to stop");
    var logs = supervisor.logs(LogsRequest.newBuilder().setAllocationId("f1").build());
    assertEquals("", logs.getError(), "its logs can still be read");
    assertEquals("main", logs.getTask());

    supervisor.forgetRetired(Instant.now().plus(AllocationSupervisor.RETAIN_FAILED).plus(Duration.ofSeconds(1)));
    waitFor("f1 forgotten after the retention", AllocationRunnerTest.WAIT).until(() -> supervisor.runner("f1") == null);
    assertTrue(supervisor.logs(LogsRequest.newBuilder().setAllocationId("f1").build()).getError()
        .contains("is not on this node any more"));
  }

  @Test
  void aDeltaStartsAndForgetsWhatItNamesAndLeavesTheRestRunning() throws Exception {
    var one = AllocationRunnerTest.assignment("d1", 0, "main");
    var two = AllocationRunnerTest.assignment("d2", 0, "main");
    supervisor.onAssignments(Assignments.newBuilder().addAllocations(one).build());
    waitFor("d1 running", AllocationRunnerTest.WAIT).until(() -> !sim.recover("d1").isEmpty());

    supervisor.onAssignments(Assignments.newBuilder().setDelta(true).addAllocations(two).build());
    waitFor("d2 running", AllocationRunnerTest.WAIT).until(() -> !sim.recover("d2").isEmpty());
    assertNotNull(supervisor.runner("d1"), "a delta that does not name d1 leaves it");
    assertFalse(supervisor.runner("d1").isStopping());

    supervisor.onAssignments(Assignments.newBuilder().setDelta(true).addRemoved("d1").build());
    waitFor("d1 forgotten", AllocationRunnerTest.WAIT).until(() -> supervisor.runner("d1") == null);
    assertNotNull(supervisor.runner("d2"));
    assertFalse(supervisor.runner("d2").isStopping(), "d2 still runs");
  }
}
