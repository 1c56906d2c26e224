package gantry.node.http;

import gantry.node.control.ControlException;
import gantry.node.control.NotLeaderException;
import gantry.spec.InvalidSpecException;
import gantry.spec.SpecException;
import io.javalin.http.HttpResponseException;
import io.javalin.http.HttpStatus;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.ratis.protocol.exceptions.RaftException;

/**
 * Maps a failed request onto the HTTP status and the JSON error a client sees: the HTTP
 * counterpart of the gRPC status mapping in {@code gantry.node.rpc}, so both APIs fail alike.
 *
 * <table>
 *   <caption>failure -> status</caption>
 *   <tr><td>bad spec ({@link InvalidSpecException}, {@link SpecException}), INVALID_ARGUMENT</td><td>400</td></tr>
 *   <tr><td>PERMISSION_DENIED (the guard: no token, or its policies do not allow it)</td><td>403</td></tr>
 *   <tr><td>NOT_FOUND</td><td>404</td></tr>
 *   <tr><td>FAILED_PRECONDITION (the state does not allow it, e.g. a diverged peer)</td><td>409</td></tr>
 *   <tr><td>UNAVAILABLE, not the leader, Raft failed or did not answer in time</td><td>503</td></tr>
 *   <tr><td>Javalin's own (unknown path 404, wrong method 405, body too large 413)</td><td>its status</td></tr>
 *   <tr><td>anything else</td><td>500</td></tr>
 * </table>
 *
 * <p>409 rather than 412 for FAILED_PRECONDITION: 412 is about the request's own conditional
 * headers (If-Match), which this API does not take; 409 says the cluster's state is in the way.
 */
final class HttpErrors {
  /** A key in a path: a word, or a quoted key as the parser shows one that is no word ({@code "my key"}). */
  private static final String SEGMENT = "(?:[A-Za-z_][A-Za-z0-9_]*|\"(?:[^\"\\\\]|\\\\.)*\")";
  /**
   * A field path at the start of a message, as the spec parser, the validator and the control
   * layer write them: {@code groups[0].tasks[1].resources.memory: must be ...}.
   */
  private static final Pattern FIELD = Pattern.compile("^(" + SEGMENT + "(?:\\[\\d+])*(?:\\." + SEGMENT + "(?:\\[\\d+])*)*): ");

  /** The status and the message of one failed request. */
  record Failure(int status, String message) {
    /**
     * The field of the request the message starts with, for a client error only: a server-side
     * message such as "Raft: ..." names no field of the request.
     */
    Optional<String> field() {
      return status >= 400 && status < 500 ? fieldOf(message) : Optional.empty();
    }
  }

  private HttpErrors() {}

  static Failure of(Throwable t) {
    Throwable e = unwrap(t);
    return switch (e) {
      case InvalidSpecException x -> new Failure(HttpStatus.BAD_REQUEST.getCode(), x.getMessage());
      case SpecException x -> new Failure(HttpStatus.BAD_REQUEST.getCode(), x.getMessage());
      case ControlException x -> new Failure(status(x.code()).getCode(), x.getMessage());
      case NotLeaderException x -> new Failure(HttpStatus.SERVICE_UNAVAILABLE.getCode(), x.getMessage());
      case HttpResponseException x -> new Failure(x.getStatus(), x.getMessage());
      // The outcome of a write that failed here is unknown to the caller: it may still commit.
      case RaftException x -> new Failure(HttpStatus.SERVICE_UNAVAILABLE.getCode(), "Raft: " + x.getMessage());
      case IOException x -> new Failure(HttpStatus.SERVICE_UNAVAILABLE.getCode(), "Raft: " + x.getMessage());
      case TimeoutException x -> new Failure(HttpStatus.SERVICE_UNAVAILABLE.getCode(), x.getMessage());
      case IllegalStateException x -> new Failure(HttpStatus.SERVICE_UNAVAILABLE.getCode(), String.valueOf(x.getMessage()));
      default -> new Failure(HttpStatus.INTERNAL_SERVER_ERROR.getCode(), e.toString());
    };
  }

  /** The field path a message starts with ({@code groups[0].count: must be ...} -> {@code groups[0].count}). */
  static Optional<String> fieldOf(String message) {
    if (message == null) return Optional.empty();
    Matcher m = FIELD.matcher(message);
    return m.find() ? Optional.of(m.group(1)) : Optional.empty();
  }

  private static HttpStatus status(ControlException.Code code) {
    return switch (code) {
      case INVALID_ARGUMENT -> HttpStatus.BAD_REQUEST;
      case NOT_FOUND -> HttpStatus.NOT_FOUND;
      case FAILED_PRECONDITION -> HttpStatus.CONFLICT;
      case UNAVAILABLE -> HttpStatus.SERVICE_UNAVAILABLE;
      case PERMISSION_DENIED -> HttpStatus.FORBIDDEN;
    };
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
