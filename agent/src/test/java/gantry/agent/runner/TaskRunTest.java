package gantry.agent.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.agent.runner.RestartPolicy.Mode;
import gantry.agent.runner.TaskEvent.Exited;
import gantry.agent.runner.TaskEvent.Lost;
import gantry.agent.runner.TaskEvent.RestartDue;
import gantry.agent.runner.TaskEvent.StartFailed;
import gantry.agent.runner.TaskEvent.Started;
import gantry.agent.runner.TaskEvent.Stopped;
import gantry.agent.runner.TaskEvent.Unhealthy;
import gantry.v1.ClientStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskRunTest {
  final Clock clock = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);
  final RestartPolicy oneRestart = new RestartPolicy(1, Duration.ofSeconds(2), Duration.ofMinutes(5), Mode.FAIL);

  Instant at(int s) {
    return clock.instant().plusSeconds(s);
  }

  @Test
  void exitZeroCompletesTheTask() {
    TaskRun r = TaskRun.pending("web", false).apply(new Started(at(0)), oneRestart)
        .apply(new Exited(0, at(3)), oneRestart);
    assertEquals(new TaskPhase.Dead(false), r.phase());
    assertEquals(at(3), r.finishedAt());
    assertEquals("dead", r.toProto().getState());
    assertFalse(r.toProto().getFailed());
    assertEquals(ClientStatus.CLIENT_STATUS_COMPLETE, AllocationOutcome.of(List.of(r)));
  }

  @Test
  void nonZeroExitRestartsThenFailsWhenAttemptsAreUsed() {
    TaskRun r = TaskRun.pending("web", false).apply(new Started(at(0)), oneRestart)
        .apply(new Exited(1, at(1)), oneRestart);
    assertEquals(new TaskPhase.Restarting(at(3)), r.phase());
    assertEquals("pending", r.toProto().getState());
    assertEquals(ClientStatus.CLIENT_STATUS_RUNNING, AllocationOutcome.of(List.of(r)));
    r = r.apply(new RestartDue(at(3)), oneRestart);
    assertEquals(1, r.restarts());
    r = r.apply(new Started(at(3)), oneRestart).apply(new Exited(2, at(4)), oneRestart);
    assertTrue(r.isFailed());
    assertTrue(r.message().startsWith("exit code 2; exceeded 1 restart"), r.message());
    assertEquals(ClientStatus.CLIENT_STATUS_FAILED, AllocationOutcome.of(List.of(r)));
  }

  @Test
  void startFailureLostAndUnhealthyGoThroughThePolicy() {
    var none = new RestartPolicy(0, Duration.ZERO, Duration.ZERO, Mode.FAIL);
    assertTrue(TaskRun.pending("a", false).apply(new StartFailed("image not found: x", at(0)), none).isFailed());
    TaskRun running = TaskRun.pending("a", true).apply(new Started(at(0)), oneRestart);
    assertEquals("unknown", running.health());
    assertInstanceOf(TaskPhase.Restarting.class, running.apply(new Lost("oom", at(1)), oneRestart).phase());
    TaskRun unhealthy = running.apply(new Unhealthy("HTTP 500", at(1)), oneRestart);
    assertEquals("unhealthy: HTTP 500", unhealthy.message());
  }

  @Test
  void stopEndsEveryLivePhaseAndFencingMarksFailed() {
    Stopped stop = new Stopped("stopped by the managers", false, at(1));
    assertEquals(new TaskPhase.Dead(false), TaskRun.pending("a", false).apply(stop, oneRestart).phase());
    TaskRun running = TaskRun.pending("a", false).apply(new Started(at(0)), oneRestart);
    assertEquals(new TaskPhase.Dead(false), running.apply(stop, oneRestart).phase());
    TaskRun fenced = running.apply(new Stopped("fenced: no manager for 31s", true, at(31)), oneRestart);
    assertTrue(fenced.isFailed());
    TaskRun restarting = running.apply(new Exited(1, at(1)), oneRestart);
    assertEquals(new TaskPhase.Dead(false), restarting.apply(stop, oneRestart).phase());
  }

  @Test
  void illegalTransitionsThrow() {
    TaskRun pending = TaskRun.pending("a", false);
    assertThrows(IllegalStateException.class, () -> pending.apply(new Exited(0, at(0)), oneRestart));
    assertThrows(IllegalStateException.class, () -> pending.apply(new RestartDue(at(0)), oneRestart));
    TaskRun running = pending.apply(new Started(at(0)), oneRestart);
    assertThrows(IllegalStateException.class, () -> running.apply(new Started(at(1)), oneRestart));
    TaskRun dead = running.apply(new Exited(0, at(1)), oneRestart);
    var ex = assertThrows(IllegalStateException.class,
        () -> dead.apply(new Stopped("x", false, at(2)), oneRestart));
    assertTrue(ex.getMessage().contains("not allowed in phase Dead"));
  }

  @Test
  void allocationOutcome() {
    TaskRun pending = TaskRun.pending("a", false);
    TaskRun running = pending.apply(new Started(at(0)), oneRestart);
    TaskRun done = running.apply(new Exited(0, at(1)), oneRestart);
    assertEquals(ClientStatus.CLIENT_STATUS_PENDING, AllocationOutcome.of(List.of(pending, pending)));
    assertEquals(ClientStatus.CLIENT_STATUS_RUNNING, AllocationOutcome.of(List.of(running, pending)));
    assertEquals(ClientStatus.CLIENT_STATUS_RUNNING, AllocationOutcome.of(List.of(done, running)));
    assertEquals(ClientStatus.CLIENT_STATUS_COMPLETE, AllocationOutcome.of(List.of(done, done)));
    assertTrue(AllocationOutcome.isTerminal(List.of(done)));
    TaskRun neverStarted = pending.apply(new StartFailed("no such program", at(0)), oneRestart);
    assertTrue(neverStarted.phase() instanceof TaskPhase.Restarting);
    assertEquals(ClientStatus.CLIENT_STATUS_PENDING, AllocationOutcome.of(List.of(neverStarted)),
        "a task waiting to retry a start that failed has not run: the allocation is pending, not running");
  }
}
