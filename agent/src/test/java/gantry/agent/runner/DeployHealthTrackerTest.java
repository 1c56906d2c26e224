package gantry.agent.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.agent.runner.RestartPolicy.Mode;
import gantry.agent.runner.TaskEvent.Exited;
import gantry.agent.runner.TaskEvent.StartFailed;
import gantry.agent.runner.TaskEvent.Started;
import gantry.agent.runner.TaskEvent.Unhealthy;
import gantry.v1.DeployHealth;
import gantry.v1.GroupSpec;
import gantry.v1.UpdatePolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The deploy health rule alone: time and task states in, a decision out. */
class DeployHealthTrackerTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final GroupSpec GROUP = GroupSpec.newBuilder().setName("g").setUpdate(UpdatePolicy.newBuilder()
      .setMaxParallel(1).setMinHealthyTimeMs(10_000).setHealthyDeadlineMs(300_000)).build();
  static final RestartPolicy TWO_RESTARTS = new RestartPolicy(2, Duration.ofSeconds(1), Duration.ofMinutes(1),
      Mode.FAIL);
  static final RestartPolicy NO_RESTART = new RestartPolicy(0, Duration.ZERO, Duration.ZERO, Mode.FAIL);

  final DeployHealthTracker fresh = DeployHealthTracker.of(GROUP, T0);

  static TaskRun running(String name, String health) {
    return TaskRun.pending(name, !health.isEmpty()).apply(new Started(T0), TWO_RESTARTS).withHealth(health);
  }

  static Instant at(long millis) {
    return T0.plusMillis(millis);
  }

  static DeployHealth decided(String status, String reason, Instant at) {
    return DeployHealth.newBuilder().setStatus(status).setReason(reason).setTimeMs(at.toEpochMilli()).build();
  }

  @Test
  void healthyExactlyWhenMinHealthyTimeOfContinuousHealthElapsed() {
    var t = fresh.observe(at(0), List.of(running("web", "unknown"), running("side", "")));
    assertNull(t.healthySince(), "a check not yet healthy is not healthy");
    t = t.observe(at(2_000), List.of(running("web", "healthy"), running("side", "")));
    assertEquals(at(2_000), t.healthySince());
    assertEquals(Optional.of(at(12_000)), t.nextDecisionAt());
    t = t.observe(at(11_999), List.of(running("web", "healthy"), running("side", "")));
    assertFalse(t.decided(), "1 ms short of min_healthy_time");
    t = t.observe(at(12_000), List.of(running("web", "healthy"), running("side", "")));
    assertEquals(decided("healthy", "every task running and passing its checks for 10s", at(12_000)),
        t.decision());
  }

  @Test
  void withHealthCheckTaskStatesOnlyTheTasksStatesCount() {
    GroupSpec taskStates = GROUP.toBuilder().setUpdate(GROUP.getUpdate().toBuilder().setHealthCheck("task_states")).build();
    var t = DeployHealthTracker.of(taskStates, T0).observe(at(0), List.of(running("web", "unknown")));
    assertEquals(at(0), t.healthySince(), "a check not yet passing is not waited for");
    t = t.observe(at(5_000), List.of(running("web", "unhealthy")));
    assertFalse(t.decided(), "a failing check decides nothing");
    t = t.observe(at(10_000), List.of(running("web", "unhealthy")));
    assertEquals(decided("healthy", "every task running for 10s", at(10_000)), t.decision());
    var checks = fresh.observe(at(0), List.of(running("web", "unhealthy")));
    assertEquals("unhealthy", checks.decision().getStatus(), "the default (checks) decides on a failing check");
  }

  @Test
  void theHealthyTimerRestartsWhenTheConditionBreaks() {
    // A check back to unknown is what a re-attach after an agent restart shows until the next probe.
    var t = fresh.observe(at(0), List.of(running("web", "healthy")))
        .observe(at(5_000), List.of(running("web", "healthy")))
        .observe(at(6_000), List.of(running("web", "unknown")));
    assertNull(t.healthySince());
    t = t.observe(at(7_000), List.of(running("web", "healthy")))
        .observe(at(10_000), List.of(running("web", "healthy")));
    assertFalse(t.decided(), "10 s after the first healthy observation, but the timer restarted at 7 s");
    t = t.observe(at(17_000), List.of(running("web", "healthy")));
    assertEquals("healthy", t.decision().getStatus());
    assertEquals(at(17_000).toEpochMilli(), t.decision().getTimeMs());
  }

  @Test
  void aTaskWithoutCheckIsHealthyWhenRunning() {
    var t = fresh.observe(at(0), List.of(TaskRun.pending("job", false)));
    assertNull(t.healthySince(), "pending is not running");
    t = t.observe(at(1_000), List.of(running("job", ""))).observe(at(11_000), List.of(running("job", "")));
    assertEquals(decided("healthy", "every task running for 10s", at(11_000)), t.decision());
  }

  @Test
  void aCheckThatTurnsUnhealthyDecidesUnhealthy() {
    TaskRun web = running("web", "healthy").withHealth("unhealthy")
        .apply(new Unhealthy("HTTP 500", at(3_000)), TWO_RESTARTS);
    var t = fresh.observe(at(1_000), List.of(running("web", "healthy"), running("side", "")))
        .observe(at(3_000), List.of(web, running("side", "")));
    assertEquals(decided("unhealthy", "task web: check failed: HTTP 500", at(3_000)), t.decision());
  }

  @Test
  void aTaskThatMustRestartOrFailedDecidesUnhealthyWithItsMessage() {
    TaskRun exited = running("web", "").apply(new Exited(1, at(2_000)), TWO_RESTARTS);
    assertEquals(decided("unhealthy", "task web: exit code 1", at(2_000)),
        fresh.observe(at(2_000), List.of(running("side", ""), exited)).decision());

    TaskRun failed = TaskRun.pending("web", true)
        .apply(new StartFailed("image not found: local/web:2", at(0)), NO_RESTART);
    DeployHealth d = fresh.observe(at(10), List.of(failed)).decision();
    assertEquals("unhealthy", d.getStatus());
    assertTrue(d.getReason().startsWith("task web: start failed: image not found: local/web:2"), d.getReason());
  }

  @Test
  void notHealthyByTheDeadlineIsUnhealthy() {
    var t = fresh;
    for (long ms = 0; ms < 300_000; ms += 60_000) {
      t = t.observe(at(ms), List.of(running("web", "unknown")));
      assertFalse(t.decided(), "a check still unknown keeps waiting, at " + ms + " ms");
    }
    assertEquals(Optional.of(at(300_000)), t.nextDecisionAt());
    t = t.observe(at(299_999), List.of(running("web", "unknown")));
    assertFalse(t.decided());
    t = t.observe(at(300_000), List.of(running("web", "unknown")));
    assertEquals(decided("unhealthy", "not healthy within healthy_deadline (5m0s)", at(300_000)), t.decision());

    // healthy since 4m55s: min_healthy_time would end at 5m05s, after the deadline
    var late = fresh.observe(at(295_000), List.of(running("web", "healthy")))
        .observe(at(306_000), List.of(running("web", "healthy")));
    assertEquals("not healthy within healthy_deadline (5m0s)", late.decision().getReason());
  }

  @Test
  void theDecisionIsSticky() {
    var healthy = fresh.observe(at(0), List.of(running("web", "")))
        .observe(at(10_000), List.of(running("web", "")));
    assertEquals("healthy", healthy.decision().getStatus());
    TaskRun exited = running("web", "").apply(new Exited(1, at(11_000)), TWO_RESTARTS);
    assertSame(healthy, healthy.observe(at(11_000), List.of(exited)));
    assertSame(healthy, healthy.observe(at(400_000), List.of(exited)));
    assertEquals(Optional.empty(), healthy.nextDecisionAt());

    var unhealthy = fresh.observe(at(0), List.of(exited));
    assertSame(unhealthy, unhealthy.observe(at(20_000), List.of(running("web", ""))));

    var restored = DeployHealthTracker.restored(GROUP, T0, healthy.decision());
    assertEquals(healthy.decision(), restored.observe(at(1_000), List.of(exited)).decision());
  }

  @Test
  void nothingIsDecidedWithoutAnUpdatePolicy() {
    var t = DeployHealthTracker.of(GroupSpec.newBuilder().setName("g").build(), T0);
    assertFalse(t.enabled());
    TaskRun exited = running("web", "").apply(new Exited(1, at(1_000)), TWO_RESTARTS);
    t = t.observe(at(0), List.of(running("web", ""))).observe(at(1_000), List.of(exited))
        .observe(at(3_600_000), List.of(running("web", "")));
    assertFalse(t.decided());
    assertEquals(Optional.empty(), t.nextDecisionAt());
  }

  @Test
  void durationsReadLikeTheJobSpecs() {
    assertEquals("500ms", DeployHealthTracker.goDuration(Duration.ofMillis(500)));
    assertEquals("10s", DeployHealthTracker.goDuration(Duration.ofSeconds(10)));
    assertEquals("1.5s", DeployHealthTracker.goDuration(Duration.ofMillis(1_500)));
    assertEquals("5m0s", DeployHealthTracker.goDuration(Duration.ofMinutes(5)));
    assertEquals("1h30m0s", DeployHealthTracker.goDuration(Duration.ofMinutes(90)));
  }
}
