package gantry.agent.driver;

import java.time.Instant;

/**
 * What a driver observes about a task. A task starts {@link Running} and ends in exactly one of
 * the other states, which are final:
 *
 * <pre>
 *   Running -> Exited   the task ended on its own, with its exit code
 *   Running -> Killed   the driver stopped it (stop/destroy) or the kernel OOM-killed it
 *   Running -> Lost     it ended while no driver watched it (agent restart); code unknown
 * </pre>
 */
public sealed interface TaskStatus {

  /** True for every state but {@link Running}. */
  default boolean isTerminal() {
    return !(this instanceof Running);
  }

  /** The task is running. */
  record Running(Instant startedAt) implements TaskStatus {}

  /** The task ended on its own. */
  record Exited(int exitCode, Instant finishedAt) implements TaskStatus {}

  /** The task was ended by the driver or the kernel; {@code reason} says which. */
  record Killed(String reason, Instant finishedAt) implements TaskStatus {}

  /** The task ended while no driver watched it, so its exit code is not known. */
  record Lost(String reason) implements TaskStatus {}
}
