package gantry.client;

import com.google.protobuf.Any;
import com.google.protobuf.InvalidProtocolBufferException;
import gantry.v1.NotLeaderDetail;
import io.grpc.protobuf.StatusProto;
import java.util.Optional;

/**
 * A follower's refusal of a leader-only call (FAILED_PRECONDITION with a {@link NotLeaderDetail}):
 * where the leader serves gRPC, or an empty address while an election is under way. Read from the
 * typed status detail, never from the description (which is for people).
 */
public record LeaderHint(String leaderAddress, String leaderId) {
  /** Whether the refusing peer knew a leader to send us to. */
  public boolean known() {
    return !leaderAddress.isEmpty();
  }

  /** The hint in a failed call's status, or empty when the error is anything but a follower's refusal. */
  public static Optional<LeaderHint> of(Throwable error) {
    com.google.rpc.Status status = StatusProto.fromThrowable(error);
    if (status == null) return Optional.empty();
    for (Any detail : status.getDetailsList()) {
      if (!detail.is(NotLeaderDetail.class)) continue;
      try {
        NotLeaderDetail hint = detail.unpack(NotLeaderDetail.class);
        return Optional.of(new LeaderHint(hint.getLeaderGrpcAddress(), hint.getLeaderId()));
      } catch (InvalidProtocolBufferException bad) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }
}
