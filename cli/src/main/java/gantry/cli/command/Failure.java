package gantry.cli.command;

/** A command failed in a way the user should read as one line; carries the exit code of the contract. */
public final class Failure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The operation failed (exit 1). */
  public static final int FAILED = 1;
  /** Bad usage or bad input (exit 2). */
  public static final int BAD_INPUT = 2;

  private final int exitCode;

  private Failure(int exitCode, String message) {
    super(message);
    this.exitCode = exitCode;
  }

  public static Failure failed(String message) {
    return new Failure(FAILED, message);
  }

  public static Failure badInput(String message) {
    return new Failure(BAD_INPUT, message);
  }

  public int exitCode() {
    return exitCode;
  }
}
