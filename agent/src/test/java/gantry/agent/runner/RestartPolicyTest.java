package gantry.agent.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.agent.runner.RestartPolicy.Decision;
import gantry.agent.runner.RestartPolicy.Mode;
import gantry.v1.GroupSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RestartPolicyTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

  @Test
  void restartsWithDelayWhileAttemptsRemainInTheInterval() {
    var p = new RestartPolicy(2, Duration.ofSeconds(1), Duration.ofMinutes(1), Mode.FAIL);
    assertEquals(new Decision.Restart(T0.plusSeconds(1)), p.decide(List.of(), T0));
    assertEquals(new Decision.Restart(T0.plusSeconds(11)), p.decide(List.of(T0), T0.plusSeconds(10)));
  }

  @Test
  void failModeGivesUpWhenTheAttemptsAreUsed() {
    var p = new RestartPolicy(2, Duration.ofSeconds(1), Duration.ofMinutes(1), Mode.FAIL);
    Decision d = p.decide(List.of(T0, T0.plusSeconds(5)), T0.plusSeconds(10));
    assertTrue(assertInstanceOf(Decision.Fail.class, d).reason().contains("exceeded 2 restarts in 60s"));
  }

  @Test
  void attemptsOutsideTheIntervalNoLongerCount() {
    var p = new RestartPolicy(1, Duration.ZERO, Duration.ofSeconds(30), Mode.FAIL);
    assertEquals(new Decision.Restart(T0.plusSeconds(31)), p.decide(List.of(T0), T0.plusSeconds(31)));
  }

  @Test
  void delayModeWaitsForTheOldestAttemptToLeaveTheInterval() {
    var p = new RestartPolicy(2, Duration.ofSeconds(1), Duration.ofSeconds(60), Mode.DELAY);
    Decision d = p.decide(List.of(T0, T0.plusSeconds(20)), T0.plusSeconds(30));
    assertEquals(new Decision.Restart(T0.plusSeconds(60)), d);
  }

  @Test
  void zeroAttemptsNeverRestartsAndZeroIntervalCountsForever() {
    assertInstanceOf(Decision.Fail.class, new RestartPolicy(0, Duration.ZERO, Duration.ZERO, Mode.DELAY)
        .decide(List.of(), T0));
    var forever = new RestartPolicy(1, Duration.ZERO, Duration.ZERO, Mode.DELAY);
    assertInstanceOf(Decision.Fail.class, forever.decide(List.of(T0), T0.plus(Duration.ofDays(365))));
  }

  @Test
  void fromGroupSpecWithDefaults() {
    assertEquals(RestartPolicy.DEFAULT, RestartPolicy.of(GroupSpec.getDefaultInstance()));
    var g = GroupSpec.newBuilder().setRestart(gantry.v1.RestartPolicy.newBuilder()
        .setAttempts(3).setDelayMs(2000).setMode("delay").setIntervalMs(60_000)).build();
    assertEquals(new RestartPolicy(3, Duration.ofSeconds(2), Duration.ofMinutes(1), Mode.DELAY), RestartPolicy.of(g));
  }
}
