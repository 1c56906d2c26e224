package gantry.agent.driver;

/**
 * What a command run inside a task ({@link TaskDriver#runInTask}) did.
 *
 * @param exitCode the command's exit code; -1 when it did not finish within its timeout
 * @param output the start of what it wrote (stdout and stderr), at most a few KiB
 */
public record CommandResult(int exitCode, String output) {
  /** Output kept for a check's message: enough for an error line, not a log. */
  public static final int MAX_OUTPUT = 4096;

  public CommandResult {
    output = output == null ? "" : output.length() > MAX_OUTPUT ? output.substring(0, MAX_OUTPUT) : output;
  }

  public static CommandResult timedOut(java.time.Duration timeout) {
    return new CommandResult(-1, "timed out after " + timeout.toMillis() + " ms");
  }
}
