package gantry.chaos.checker;

import gantry.chaos.history.JobState;
import gantry.chaos.history.Op;
import java.util.Objects;
import java.util.Optional;

/**
 * The sequential specification of one job name, a versioned register, as Gantry's
 * replay defines it:
 *
 * <pre>
 * state \ op   register(x)                        stop                    read
 * absent       -> v1:x running                    NOT_FOUND, no change    absent
 * vN:y running -> vN:y if x = y, else vN+1:x       -> vN:y stopped         vN:y running
 * vN:y stopped -> vN+1:x running                  no change               vN:y stopped
 * </pre>
 *
 * An ok op must observe exactly the state after it; an unknown op observes nothing, so
 * only its effect counts.
 */
public final class RegisterModel {
  private RegisterModel() {}

  /** The state after {@code op}, or empty when {@code op}'s observation contradicts it. */
  public static Optional<JobState> step(JobState s, Op op) {
    JobState next = switch (op.type()) {
      case REGISTER -> {
        if (!s.absent() && !s.stopped() && s.value().equals(op.written())) yield s;
        yield new JobState(s.version() + 1, op.written(), false);
      }
      case STOP -> s.absent() ? s : new JobState(s.version(), s.value(), true);
      case READ -> s;
    };
    if (op.outcome() == Op.Outcome.OK && !Objects.equals(op.observed(), next)) return Optional.empty();
    return Optional.of(next);
  }
}
