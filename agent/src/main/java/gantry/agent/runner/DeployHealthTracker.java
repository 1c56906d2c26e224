package gantry.agent.runner;

import gantry.v1.DeployHealth;
import gantry.v1.GroupSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Objects;
import java.util.Optional;

/**
 * Decides an allocation's deploy health (Nomad's "task_states + checks"): whether it is good
 * enough for a rolling update to move on. Pure and immutable: the runner feeds it the time and
 * its tasks after every pass ({@link #observe}) and reports {@link #decision()} once there is one.
 *
 * <pre>
 *  checked in this order at each observation, until decided:
 *  a task's check health is unhealthy (not with
 *  health_check: task_states)                      -> unhealthy "task T: check failed: DETAIL"
 *  a task is restarting (it exited, was lost, did
 *  not start) or failed for good                   -> unhealthy "task T: MESSAGE"
 *  every task running, each check (if any; not with
 *  task_states) healthy,
 *  continuously for min_healthy_time, reached by
 *  the healthy deadline                            -> healthy "every task running ... for 10s"
 *  the healthy deadline (start + healthy_deadline)
 *  has come                                        -> unhealthy "not healthy within healthy_deadline (5m0s)"
 *  otherwise (pending, check still unknown, a task
 *  completed with exit 0, not healthy for long
 *  enough yet)                                     -> undecided; the healthy timer restarts whenever
 *                                                     "every task running and healthy" is not true
 * </pre>
 *
 * A decision is final: later observations return the same tracker. A group without an update
 * block gets no deploy health at all ({@link #enabled()} false, never decides). A healthy
 * deadline of 0 means none. "Continuously" is as seen by the observations: the runner observes
 * after every pass of its loop, and a restart always shows (a restarting task decides unhealthy).
 *
 * @param minHealthyTime how long every task must stay running and healthy; null when disabled
 * @param healthyDeadline the deadline's length (for the reason); null when disabled
 * @param deadlineAt when an allocation not yet healthy is unhealthy; null without a deadline
 * @param healthySince since when every task has been running and healthy, or null
 * @param decision the verdict (status healthy | unhealthy), or null while undecided
 * @param taskStatesOnly {@code health_check: task_states}: checks are not waited for and a
 *     failing check does not decide (a restart it causes still does)
 */
public record DeployHealthTracker(Duration minHealthyTime, Duration healthyDeadline, Instant deadlineAt,
    Instant healthySince, DeployHealth decision, boolean taskStatesOnly) {
  public static final String HEALTHY = "healthy";
  public static final String UNHEALTHY = "unhealthy";

  private static final DeployHealthTracker DISABLED = new DeployHealthTracker(null, null, null, null, null, false);

  /** The tracker of an allocation of {@code group} that the runner started at {@code startedAt}. */
  public static DeployHealthTracker of(GroupSpec group, Instant startedAt) {
    if (!group.hasUpdate()) {
      return DISABLED;
    }
    Duration min = Duration.ofMillis(Math.max(0, group.getUpdate().getMinHealthyTimeMs()));
    Duration deadline = Duration.ofMillis(Math.max(0, group.getUpdate().getHealthyDeadlineMs()));
    boolean taskStatesOnly = group.getUpdate().getHealthCheck().equals("task_states");
    return new DeployHealthTracker(min, deadline, deadline.isZero() ? null : startedAt.plus(deadline), null, null,
        taskStatesOnly);
  }

  /**
   * The tracker of an allocation re-attached after an agent restart: counted from the start saved
   * before it, and holding the decision saved then, if any ({@code saved} empty status: none).
   */
  public static DeployHealthTracker restored(GroupSpec group, Instant startedAt, DeployHealth saved) {
    DeployHealthTracker t = of(group, startedAt);
    if (!t.enabled() || saved == null || saved.getStatus().isEmpty()) {
      return t;
    }
    return new DeployHealthTracker(t.minHealthyTime, t.healthyDeadline, t.deadlineAt, null, saved, t.taskStatesOnly);
  }

  /** False for a group without an update block: such an allocation never has a deploy health. */
  public boolean enabled() {
    return minHealthyTime != null;
  }

  public boolean decided() {
    return decision != null;
  }

  /**
   * The tracker after seeing {@code tasks} at {@code now}; the same one once decided or when
   * disabled.
   */
  public DeployHealthTracker observe(Instant now, Collection<TaskRun> tasks) {
    Objects.requireNonNull(now, "now");
    if (!enabled() || decided()) {
      return this;
    }
    for (TaskRun t : tasks) {
      if (!taskStatesOnly && UNHEALTHY.equals(t.health())) {
        return decide(UNHEALTHY, "task " + t.name() + ": check failed: " + checkDetail(t.message()), now);
      }
    }
    for (TaskRun t : tasks) {
      if (t.phase() instanceof TaskPhase.Restarting || t.isFailed()) {
        return decide(UNHEALTHY, "task " + t.name() + ": " + t.message(), now);
      }
    }
    Instant since = null;
    if (!tasks.isEmpty() && tasks.stream().allMatch(this::runningAndHealthy)) {
      since = healthySince != null ? healthySince : now;
      Instant reachedAt = since.plus(minHealthyTime);
      if (!now.isBefore(reachedAt) && (deadlineAt == null || !reachedAt.isAfter(deadlineAt))) {
        boolean checks = !taskStatesOnly && tasks.stream().anyMatch(t -> !t.health().isEmpty());
        return decide(HEALTHY, "every task running" + (checks ? " and passing its checks" : "") + " for "
            + goDuration(minHealthyTime), now);
      }
    }
    if (deadlineAt != null && !now.isBefore(deadlineAt)) {
      return decide(UNHEALTHY, "not healthy within healthy_deadline (" + goDuration(healthyDeadline) + ")", now);
    }
    return new DeployHealthTracker(minHealthyTime, healthyDeadline, deadlineAt, since, null, taskStatesOnly);
  }

  /**
   * When the passing of time alone could decide (the healthy timer running out, or the deadline),
   * so the runner looks again then; empty when decided or disabled.
   */
  public Optional<Instant> nextDecisionAt() {
    if (!enabled() || decided()) {
      return Optional.empty();
    }
    Instant next = healthySince == null ? null : healthySince.plus(minHealthyTime);
    if (deadlineAt != null && (next == null || deadlineAt.isBefore(next))) {
      next = deadlineAt;
    }
    return Optional.ofNullable(next);
  }

  private boolean runningAndHealthy(TaskRun t) {
    return t.phase() instanceof TaskPhase.Running && (taskStatesOnly || t.health().isEmpty() || HEALTHY.equals(t.health()));
  }

  /** The probe's detail from the message a check failure left ("unhealthy: DETAIL[; policy]"). */
  private static String checkDetail(String message) {
    String prefix = "unhealthy: ";
    return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
  }

  private DeployHealthTracker decide(String status, String reason, Instant now) {
    return new DeployHealthTracker(minHealthyTime, healthyDeadline, deadlineAt, null,
        DeployHealth.newBuilder().setStatus(status).setReason(reason).setTimeMs(now.toEpochMilli()).build(), taskStatesOnly);
  }

  /** A duration as Go and the job specs write it: 500ms, 10s, 1.5s, 5m0s, 1h30m0s. */
  static String goDuration(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + "ms";
    }
    long h = ms / 3_600_000;
    long m = ms / 60_000 % 60;
    long s = ms / 1000 % 60;
    long frac = ms % 1000;
    String seconds = s + (frac == 0 ? "" : ("." + String.format("%03d", frac)).replaceAll("0+$", "")) + "s";
    if (h > 0) {
      return h + "h" + m + "m" + seconds;
    }
    return m > 0 ? m + "m" + seconds : seconds;
  }
}
