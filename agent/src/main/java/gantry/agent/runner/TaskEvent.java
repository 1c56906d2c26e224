package gantry.agent.runner;

import java.time.Instant;

/** What can happen to a task; the input of {@link TaskRun#apply}. Every event carries its time. */
public sealed interface TaskEvent {
  Instant at();

  /** The driver started the task. */
  record Started(Instant at) implements TaskEvent {}

  /** The driver could not start it (missing image, port taken, unknown command...). */
  record StartFailed(String message, Instant at) implements TaskEvent {}

  /** It ended on its own with {@code exitCode}. */
  record Exited(int exitCode, Instant at) implements TaskEvent {}

  /** It ended without the agent asking and without an exit code (OOM kill, ended while the agent was down). */
  record Lost(String message, Instant at) implements TaskEvent {}

  /** Its health check failed too often in a row; the runner has stopped it. */
  record Unhealthy(String message, Instant at) implements TaskEvent {}

  /** The restart delay has passed. */
  record RestartDue(Instant at) implements TaskEvent {}

  /** The agent stopped it: desired stop, no longer assigned, a sibling failed, or fencing ({@code failed}). */
  record Stopped(String message, boolean failed, Instant at) implements TaskEvent {}
}
