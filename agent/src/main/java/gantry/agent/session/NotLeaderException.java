package gantry.agent.session;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import gantry.v1.NotLeaderDetail;
import io.grpc.protobuf.StatusProto;
import java.util.Optional;

/** The peer asked is not the leader; {@link #leader()} is the leader's address, or empty when unknown. */
public final class NotLeaderException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String leader;

  public NotLeaderException(String leader) {
    super("not the leader" + (leader.isEmpty() ? " (leader unknown)" : "; leader=" + leader));
    this.leader = leader;
  }

  public String leader() {
    return leader;
  }

  /**
   * The refusal of a follower, read from the typed {@link NotLeaderDetail} a manager attaches to
   * the gRPC status (never from its description); empty for any other failure.
   */
  public static Optional<NotLeaderException> from(Throwable t) {
    com.google.rpc.Status status = StatusProto.fromThrowable(t);
    if (status == null) return Optional.empty();
    for (Any detail : status.getDetailsList()) {
      if (!detail.is(NotLeaderDetail.class)) continue;
      try {
        return Optional.of(new NotLeaderException(detail.unpack(NotLeaderDetail.class).getLeaderGrpcAddress()));
      } catch (InvalidProtocolBufferException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }
}
