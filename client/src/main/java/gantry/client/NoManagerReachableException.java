package gantry.client;

import io.grpc.Status;
import java.util.List;

/** Every listed manager was unreachable or timed out; the message lists them and the last error. */
public final class NoManagerReachableException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  NoManagerReachableException(List<String> addresses, Status last) {
    super("no manager reachable at " + String.join(",", addresses) + " (last error: " + describe(last) + ")");
  }

  // gRPC reports a refused connection as "io exception"; the cause says which address and why.
  private static String describe(Status status) {
    if (status == null) return "none";
    Throwable root = status.getCause();
    while (root != null && root.getCause() != null) root = root.getCause();
    String detail = root != null && root.getMessage() != null ? root.getMessage() : status.getDescription();
    return status.getCode() + (detail == null ? "" : ": " + detail);
  }
}
