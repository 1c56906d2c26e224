package gantry.node.rpc;

import gantry.node.control.ControlException;
import com.google.protobuf.Any;
import gantry.node.control.NotLeaderException;
import gantry.spec.InvalidSpecException;
import io.grpc.Status;
import io.grpc.protobuf.StatusProto;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.ratis.protocol.exceptions.RaftException;

/** Maps failures onto the gRPC status a client sees. */
final class Statuses {
  private Statuses() {}

  static StatusRuntimeException of(Throwable t) {
    Throwable e = unwrap(t);
    if (e instanceof NotLeaderException x) return notLeader(x);
    Status s = switch (e) {
      case InvalidSpecException x -> Status.INVALID_ARGUMENT.withDescription(x.getMessage());
      case ControlException x -> code(x.code()).withDescription(x.getMessage());
      // The outcome of a write that failed here is unknown to the caller: it may still commit.
      case RaftException x -> Status.UNAVAILABLE.withDescription("Raft: " + x.getMessage());
      case IOException x -> Status.UNAVAILABLE.withDescription("Raft: " + x.getMessage());
      case IllegalStateException x -> Status.UNAVAILABLE.withDescription(x.getMessage());
      default -> Status.INTERNAL.withDescription(e.toString());
    };
    return s.withCause(e).asRuntimeException();
  }

  /**
   * FAILED_PRECONDITION with the leader as a typed detail (gantry.v1.NotLeaderDetail): clients
   * read the detail with {@code StatusProto.fromThrowable}, never the description.
   */
  private static StatusRuntimeException notLeader(NotLeaderException e) {
    com.google.rpc.Status status = com.google.rpc.Status.newBuilder()
        .setCode(Status.Code.FAILED_PRECONDITION.value())
        .setMessage(e.getMessage())
        .addDetails(Any.pack(e.detail()))
        .build();
    return StatusProto.toStatusRuntimeException(status);
  }

  private static Status code(ControlException.Code code) {
    return switch (code) {
      case INVALID_ARGUMENT -> Status.INVALID_ARGUMENT;
      case NOT_FOUND -> Status.NOT_FOUND;
      case FAILED_PRECONDITION -> Status.FAILED_PRECONDITION;
      case UNAVAILABLE -> Status.UNAVAILABLE;
      case PERMISSION_DENIED -> Status.PERMISSION_DENIED;
    };
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
