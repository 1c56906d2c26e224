package gantry.agent.runner;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;

/**
 * When an allocation's runner must look at its tasks again (pure): after the poll interval while a
 * task must be polled, when the next metrics sample is due, or sooner for a restart that is due,
 * a deploy health decision that time alone can make, or at once while a task waits to start.
 */
final class NextWake {
  private NextWake() {}

  /**
   * Milliseconds from {@code now} to the next pass (0: at once). {@code pollInterval} is empty
   * when no task must be polled (each running one's driver tells its end and none has a health
   * check).
   */
  static long millis(Instant now, Optional<Duration> pollInterval, Instant metricsAt, Collection<TaskRun> runs,
      Optional<Instant> decisionAt) {
    Instant next = metricsAt;
    if (pollInterval.isPresent() && now.plus(pollInterval.get()).isBefore(next)) {
      next = now.plus(pollInterval.get());
    }
    for (TaskRun r : runs) {
      if (r.phase() instanceof TaskPhase.Pending) {
        return 0;
      }
      if (r.phase() instanceof TaskPhase.Restarting rs && rs.restartAt().isBefore(next)) {
        next = rs.restartAt();
      }
    }
    if (decisionAt.isPresent() && decisionAt.get().isBefore(next)) {
      next = decisionAt.get();
    }
    return Math.max(0, Duration.between(now, next).toMillis());
  }
}
