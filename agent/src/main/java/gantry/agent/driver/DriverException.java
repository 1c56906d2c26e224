package gantry.agent.driver;

/**
 * A driver operation failed. The message is written for the person running the cluster: it names
 * the thing that is wrong and, where there is one, the fix.
 */
public final class DriverException extends RuntimeException {

  /** Broad cause, so callers can decide (retry, fail the allocation, mark the node) without parsing text. */
  public enum Kind {
    /** The image is not present locally; nothing is pulled. */
    IMAGE_NOT_FOUND,
    /** A host port the task asks for is taken. */
    PORT_IN_USE,
    /** The command to run does not exist. */
    COMMAND_NOT_FOUND,
    /** The driver cannot reach what it drives (the Docker engine, /proc). */
    UNAVAILABLE,
    /** The handle names a task the driver does not know (any more). */
    TASK_NOT_FOUND,
    /** The task is already running under the same allocation and name. */
    ALREADY_RUNNING,
    /** Anything else. */
    FAILED
  }

  private final Kind kind;

  public DriverException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public DriverException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
