package gantry.agent.runner;

import gantry.agent.runner.RestartPolicy.Decision;
import gantry.agent.runner.TaskEvent.Exited;
import gantry.agent.runner.TaskEvent.Lost;
import gantry.agent.runner.TaskEvent.RestartDue;
import gantry.agent.runner.TaskEvent.StartFailed;
import gantry.agent.runner.TaskEvent.Started;
import gantry.agent.runner.TaskEvent.Stopped;
import gantry.agent.runner.TaskEvent.Unhealthy;
import gantry.agent.runner.TaskPhase.Dead;
import gantry.agent.runner.TaskPhase.Pending;
import gantry.agent.runner.TaskPhase.Restarting;
import gantry.agent.runner.TaskPhase.Running;
import gantry.v1.TaskState;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The observed life of one task: its phase plus what is reported up. Immutable; {@link #apply}
 * returns the next value or throws {@link IllegalStateException} on a transition the table does
 * not allow.
 *
 * <pre>
 *  from \ event  Started  StartFailed  Exited(0)  Exited(n≠0) Lost Unhealthy  RestartDue  Stopped
 *  Pending       Running  policy       -          -                           -           Dead
 *  Running       -        -            Dead(ok)   policy                      -           Dead
 *  Restarting    -        -            -          -                           Pending     Dead
 *  Dead          -        -            -          -                           -           -
 *
 *  policy = Restarting(at) when the RestartPolicy allows another attempt, else Dead(failed)
 *  Stopped -> Dead(failed = event.failed): false for a requested stop, true when fenced
 * </pre>
 *
 * Exit 0 completes a task whatever the job type: the agent does not know the type, the managers
 * do and replace a completed service allocation if they want it running.
 *
 * @param name the task's name
 * @param phase where it is
 * @param restarts how many times it was started again
 * @param restartTimes when each restart was decided, oldest first (the restart policy's input)
 * @param message the latest human-readable reason ("exit code 1", "unhealthy: ...")
 * @param health healthy | unhealthy | unknown, or empty when the task has no check
 * @param startedAt the latest start, or null
 * @param finishedAt when it became dead, or null
 */
public record TaskRun(String name, TaskPhase phase, int restarts, List<Instant> restartTimes, String message,
    String health, Instant startedAt, Instant finishedAt) {

  public TaskRun {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(phase, "phase");
    restartTimes = List.copyOf(restartTimes);
    message = Objects.requireNonNullElse(message, "");
    health = Objects.requireNonNullElse(health, "");
  }

  /** A task that has not started. */
  public static TaskRun pending(String name, boolean hasCheck) {
    return new TaskRun(name, new Pending(), 0, List.of(), "", hasCheck ? "unknown" : "", null, null);
  }

  public boolean isDead() {
    return phase instanceof Dead;
  }

  public boolean isFailed() {
    return phase instanceof Dead d && d.failed();
  }

  /** The next state after {@code event}; {@code policy} decides after a failure. */
  public TaskRun apply(TaskEvent event, RestartPolicy policy) {
    return switch (phase) {
      case Pending p -> switch (event) {
        case Started e -> new TaskRun(name, new Running(), restarts, restartTimes, "", initialHealth(),
            e.at(), null);
        case StartFailed e -> failure("start failed: " + e.message(), e.at(), policy);
        case Stopped e -> dead(e.failed(), e.message(), e.at());
        default -> illegal(event);
      };
      case Running r -> switch (event) {
        case Exited e when e.exitCode() == 0 -> dead(false, "exit code 0", e.at());
        case Exited e -> failure("exit code " + e.exitCode(), e.at(), policy);
        case Lost e -> failure(e.message(), e.at(), policy);
        case Unhealthy e -> failure("unhealthy: " + e.message(), e.at(), policy);
        case Stopped e -> dead(e.failed(), e.message(), e.at());
        default -> illegal(event);
      };
      case Restarting r -> switch (event) {
        case RestartDue e -> new TaskRun(name, new Pending(), restarts + 1, restartTimes, message, health,
            startedAt, null);
        case Stopped e -> dead(e.failed(), e.message(), e.at());
        default -> illegal(event);
      };
      case Dead d -> illegal(event);
    };
  }

  /** The same task with a new health value (health does not change the phase). */
  public TaskRun withHealth(String newHealth) {
    return new TaskRun(name, phase, restarts, restartTimes, message, newHealth, startedAt, finishedAt);
  }

  private String initialHealth() {
    return health.isEmpty() ? "" : "unknown";
  }

  private TaskRun failure(String why, Instant at, RestartPolicy policy) {
    return switch (policy.decide(restartTimes, at)) {
      case Decision.Restart r -> {
        List<Instant> times = new ArrayList<>(policy.window(restartTimes, at));
        times.add(at);
        yield new TaskRun(name, new Restarting(r.at()), restarts, times, why, health, startedAt, null);
      }
      case Decision.Fail f -> dead(true, why + "; " + f.reason(), at);
    };
  }

  private TaskRun dead(boolean failed, String why, Instant at) {
    return new TaskRun(name, new Dead(failed), restarts, restartTimes, why, health, startedAt, at);
  }

  private TaskRun illegal(TaskEvent event) {
    throw new IllegalStateException("task " + name + ": " + event.getClass().getSimpleName()
        + " is not allowed in phase " + phase.getClass().getSimpleName());
  }

  /** What goes up in {@code AllocationStatusUpdate.tasks}. */
  public TaskState toProto() {
    return TaskState.newBuilder()
        .setState(phase.reportedName())
        .setFailed(isFailed())
        .setRestarts(restarts)
        .setMessage(message)
        .setHealth(health)
        .setStartedAtMs(startedAt == null ? 0 : startedAt.toEpochMilli())
        .setFinishedAtMs(finishedAt == null ? 0 : finishedAt.toEpochMilli())
        .build();
  }
}
