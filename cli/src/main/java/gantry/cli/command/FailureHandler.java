package gantry.cli.command;

import gantry.client.NoManagerReachableException;
import gantry.spec.SpecException;
import gantry.node.config.ConfigException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Maps what a command throws to the contract's exit codes: 2 for bad usage or input (spec files,
 * configuration, the server's INVALID_ARGUMENT), 1 for everything else, with one line on stderr.
 * A stack trace is printed only for exceptions nobody anticipated, and only with GANTRY_DEBUG set.
 */
public final class FailureHandler implements IExecutionExceptionHandler {
  /** What the user sees and the exit code. */
  record Outcome(int exitCode, String message) {}

  @Override
  public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
    Outcome outcome = classify(ex);
    var err = cmd.getErr();
    err.println(outcome.message());
    if (outcome.exitCode() == Failure.FAILED && isUnexpected(ex) && System.getenv("GANTRY_DEBUG") != null) {
      ex.printStackTrace(err);
    }
    err.flush();
    return outcome.exitCode();
  }

  static Outcome classify(Exception ex) {
    return switch (ex) {
      case Failure f -> new Outcome(f.exitCode(), f.getMessage());
      case SpecException e -> new Outcome(Failure.BAD_INPUT, e.getMessage());
      case ConfigException e -> new Outcome(Failure.BAD_INPUT, e.getMessage());
      case NoManagerReachableException e -> new Outcome(Failure.FAILED, e.getMessage());
      case StatusRuntimeException e -> fromStatus(e.getStatus());
      default -> new Outcome(Failure.FAILED, "error: " + (ex.getMessage() != null ? ex.getMessage() : ex.toString()));
    };
  }

  private static Outcome fromStatus(Status status) {
    String description = status.getDescription() == null ? status.getCode().toString() : status.getDescription();
    return switch (status.getCode()) {
      // The server names the field; its message is the whole answer.
      case INVALID_ARGUMENT -> new Outcome(Failure.BAD_INPUT, description);
      // "permission denied: jobs:write needed" says it all as well.
      case NOT_FOUND, FAILED_PRECONDITION, ALREADY_EXISTS, PERMISSION_DENIED -> new Outcome(Failure.FAILED, description);
      case RESOURCE_EXHAUSTED -> new Outcome(Failure.FAILED, "RESOURCE_EXHAUSTED: " + namingTheSetting(description));
      default -> new Outcome(Failure.FAILED, status.getCode() + ": " + description);
    };
  }

  /**
   * grpc-java's transport refuses an oversize message with its own text, before the manager's
   * code sees it; the user is told which setting of the manager that is.
   */
  static String namingTheSetting(String description) {
    var m = OVERSIZE.matcher(description);
    if (!m.matches()) return description;
    String limit = m.group(1);
    String size = m.group(2);
    // The client's own limit on replies gives the same text; at its default size it cannot be told apart.
    if (limit.equals(String.valueOf(CLIENT_REPLY_LIMIT))) {
      return "a message of " + size + " bytes is over the limit of " + limit + " bytes: the manager's max_message_bytes"
          + " if it was the request, this client's own limit if it was the reply";
    }
    return "the request is " + size + " bytes, over the manager's limit of " + limit + " (max_message_bytes)";
  }

  /** grpc-java's default limit on the messages a channel receives, which ControlClient keeps. */
  static final int CLIENT_REPLY_LIMIT = 4 << 20;

  private static final java.util.regex.Pattern OVERSIZE =
      java.util.regex.Pattern.compile("gRPC message exceeds maximum size (\\d+): (\\d+)");

  private static boolean isUnexpected(Exception ex) {
    return !(ex instanceof Failure || ex instanceof NoManagerReachableException || ex instanceof StatusRuntimeException);
  }
}
