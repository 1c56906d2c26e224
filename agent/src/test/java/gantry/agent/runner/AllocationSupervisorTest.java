package gantry.agent.runner;

import static gantry.agent.Waits.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.agent.driver.sim.SimDriver;
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
      AllocationStore.none(), Clock.systemUTC(), c -> null, AllocationRunnerTest.FAST);

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
}
