package gantry.agent.runner;

import gantry.v1.GroupSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * When a failed task starts again. A task may be restarted {@code attempts} times within any
 * {@code interval}; each restart waits {@code delay}. Once the attempts are used up, mode
 * {@code FAIL} ends the task as failed and mode {@code DELAY} waits until the oldest attempt
 * leaves the interval and restarts then. A zero interval means "over the allocation's lifetime".
 * Pure: {@link #decide} takes the time as an argument.
 */
public record RestartPolicy(int attempts, Duration delay, Duration interval, Mode mode) {

  /** What to do once the attempts within the interval are used up. */
  public enum Mode { FAIL, DELAY }

  /** Used when a group has no restart block (Nomad's service default, with a shorter delay). */
  public static final RestartPolicy DEFAULT =
      new RestartPolicy(2, Duration.ofSeconds(5), Duration.ofMinutes(30), Mode.FAIL);

  public RestartPolicy {
    if (attempts < 0) {
      throw new IllegalArgumentException("restart attempts must be >= 0, got " + attempts);
    }
    if (delay.isNegative() || interval.isNegative()) {
      throw new IllegalArgumentException("restart delay and interval must be >= 0");
    }
  }

  /** The group's policy; {@link #DEFAULT} when it has none. An unknown mode reads as fail. */
  public static RestartPolicy of(GroupSpec group) {
    if (!group.hasRestart()) {
      return DEFAULT;
    }
    var r = group.getRestart();
    Mode mode = "delay".equalsIgnoreCase(r.getMode()) ? Mode.DELAY : Mode.FAIL;
    return new RestartPolicy(Math.max(0, r.getAttempts()), Duration.ofMillis(Math.max(0, r.getDelayMs())),
        Duration.ofMillis(Math.max(0, r.getIntervalMs())), mode);
  }

  /** The outcome of one failure. */
  public sealed interface Decision {
    /** Start again at {@code at}. */
    record Restart(Instant at) implements Decision {}

    /** Give up: the task is dead and failed. */
    record Fail(String reason) implements Decision {}
  }

  /**
   * Decides after a failure at {@code now}, given the times of the restarts already made
   * (oldest first).
   */
  public Decision decide(List<Instant> previousRestarts, Instant now) {
    List<Instant> inWindow = window(previousRestarts, now);
    if (inWindow.size() < attempts) {
      return new Decision.Restart(now.plus(delay));
    }
    if (mode == Mode.FAIL || attempts == 0 || interval.isZero()) {
      return new Decision.Fail(attempts == 0 ? "restart policy allows no restarts"
          : "exceeded " + attempts + " restart" + (attempts == 1 ? "" : "s")
              + (interval.isZero() ? "" : " in " + interval.toSeconds() + "s"));
    }
    // DELAY: wait until enough attempts have left the window for one more.
    Instant freed = inWindow.get(inWindow.size() - attempts).plus(interval);
    Instant at = now.plus(delay);
    return new Decision.Restart(freed.isAfter(at) ? freed : at);
  }

  /** The restarts that count against the attempts at {@code now}. */
  public List<Instant> window(List<Instant> restarts, Instant now) {
    if (interval.isZero()) {
      return List.copyOf(restarts);
    }
    Instant from = now.minus(interval);
    return restarts.stream().filter(t -> t.isAfter(from)).toList();
  }
}
