package gantry.agent.runner;

import java.time.Instant;

/**
 * Where one task of an allocation is in its life. One type per state; {@link TaskRun#apply} is the
 * only way from one to the next (its Javadoc holds the transition table).
 */
public sealed interface TaskPhase {

  /** Not started yet, or about to be started again after a restart delay. */
  record Pending() implements TaskPhase {}

  /** The driver runs it. */
  record Running() implements TaskPhase {}

  /** It ended (failed, or was found unhealthy) and starts again at {@code restartAt}. */
  record Restarting(Instant restartAt) implements TaskPhase {}

  /** Final. {@code failed} is false for a clean exit 0 or a stop the agent asked for. */
  record Dead(boolean failed) implements TaskPhase {}

  /** The name reported in {@code TaskState.state}: pending, running or dead (restarting reads as pending). */
  default String reportedName() {
    return switch (this) {
      case Pending p -> "pending";
      case Running r -> "running";
      case Restarting r -> "pending";
      case Dead d -> "dead";
    };
  }
}
