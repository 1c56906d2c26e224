package gantry.agent.session;

import java.util.EnumSet;
import java.util.Set;

/**
 * The session's connection to the managers.
 *
 * <pre>
 *   from \ to     REGISTERING  OPEN  WAITING  CLOSED
 *   IDLE          start        -     -        close
 *   REGISTERING   redirect     yes   failure  close
 *   OPEN          not_leader   -     broken   close
 *   WAITING       timer        -     -        close
 *   CLOSED        -            -     -        -
 * </pre>
 */
public enum ConnectionState {
  IDLE, REGISTERING, OPEN, WAITING, CLOSED;

  private Set<ConnectionState> allowed() {
    return switch (this) {
      case IDLE -> EnumSet.of(REGISTERING, CLOSED);
      case REGISTERING -> EnumSet.of(REGISTERING, OPEN, WAITING, CLOSED);
      case OPEN -> EnumSet.of(REGISTERING, WAITING, CLOSED);
      case WAITING -> EnumSet.of(REGISTERING, CLOSED);
      case CLOSED -> EnumSet.noneOf(ConnectionState.class);
    };
  }

  /** {@code next}, or {@link IllegalStateException} when the table does not allow it. */
  public ConnectionState to(ConnectionState next) {
    if (!allowed().contains(next)) {
      throw new IllegalStateException("session cannot go from " + this + " to " + next);
    }
    return next;
  }
}
