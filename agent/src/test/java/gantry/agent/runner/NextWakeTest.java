package gantry.agent.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class NextWakeTest {
  static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
  static final Instant METRICS = NOW.plusSeconds(10);
  static final Optional<Duration> POLL = Optional.of(Duration.ofSeconds(2));

  static TaskRun running(String name) {
    return new TaskRun(name, new TaskPhase.Running(), 0, List.of(), "", "", NOW, null);
  }

  @Test
  void aPolledTaskWakesTheRunnerEveryPollIntervalOneThatNeedNotBeOnlyForItsMetrics() {
    assertEquals(2_000, NextWake.millis(NOW, POLL, METRICS, List.of(running("web")), Optional.empty()));
    assertEquals(10_000, NextWake.millis(NOW, Optional.empty(), METRICS, List.of(running("web")), Optional.empty()));
    assertEquals(1_000, NextWake.millis(NOW, POLL, NOW.plusSeconds(1), List.of(running("web")), Optional.empty()),
        "metrics due before the poll");
  }

  @Test
  void aTaskWaitingToStartARestartOrADecisionDueSoonerComesFirst() {
    TaskRun pending = TaskRun.pending("side", false);
    assertEquals(0, NextWake.millis(NOW, Optional.empty(), METRICS, List.of(running("web"), pending),
        Optional.empty()));
    TaskRun restarting = new TaskRun("side", new TaskPhase.Restarting(NOW.plusMillis(300)), 1, List.of(NOW), "",
        "", NOW, NOW);
    assertEquals(300, NextWake.millis(NOW, POLL, METRICS, List.of(restarting), Optional.empty()));
    assertEquals(700, NextWake.millis(NOW, Optional.empty(), METRICS, List.of(running("web")),
        Optional.of(NOW.plusMillis(700))));
    assertEquals(0, NextWake.millis(NOW, POLL, NOW.minusSeconds(1), List.of(running("web")), Optional.empty()),
        "overdue: at once");
  }
}
