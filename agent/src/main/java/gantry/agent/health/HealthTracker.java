package gantry.agent.health;

import java.time.Instant;

/**
 * Turns probe results into a task's health. Pure and immutable.
 *
 * <pre>
 *   unknown   --ok-->                      healthy
 *   any       --fail, run < threshold-->   unchanged (a blip is not a verdict)
 *   any       --fail, run = threshold-->   unhealthy (the runner restarts the task)
 *   unhealthy --ok-->                      healthy
 * </pre>
 *
 * @param health healthy | unhealthy | unknown
 * @param consecutiveFailures failures since the last success
 * @param nextProbeAt when the next probe is due
 * @param detail what the last probe saw
 */
public record HealthTracker(String health, int consecutiveFailures, Instant nextProbeAt, String detail) {
  /** Failures in a row that make a task unhealthy. */
  public static final int THRESHOLD = 3;

  /** A task just started: unknown, first probe after one interval. */
  public static HealthTracker started(HealthCheck check, Instant now) {
    return new HealthTracker("unknown", 0, now.plus(check.interval()), "");
  }

  public boolean due(Instant now) {
    return !now.isBefore(nextProbeAt);
  }

  public HealthTracker record(HealthProber.Result result, HealthCheck check, Instant now) {
    Instant next = now.plus(check.interval());
    if (result.healthy()) {
      return new HealthTracker("healthy", 0, next, result.detail());
    }
    int failures = consecutiveFailures + 1;
    String h = failures >= THRESHOLD ? "unhealthy" : health;
    return new HealthTracker(h, failures, next, result.detail());
  }

  /** True exactly when this result crossed the threshold (the moment to restart). */
  public boolean justBecameUnhealthy() {
    return consecutiveFailures == THRESHOLD;
  }
}
