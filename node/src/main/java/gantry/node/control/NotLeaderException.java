package gantry.node.control;

import gantry.v1.NotLeaderDetail;

/**
 * This peer is not the leader and the request is one only the leader serves. The client learns
 * where to go from {@link #detail()}, which travels as a typed gRPC status detail; the message
 * is for people only.
 */
public final class NotLeaderException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final NotLeaderDetail detail;

  public NotLeaderException(NotLeaderDetail detail) {
    super(describe(detail));
    this.detail = detail;
  }

  /** The leader's id and gRPC address; both empty while no leader is known. */
  public NotLeaderDetail detail() {
    return detail;
  }

  private static String describe(NotLeaderDetail d) {
    if (d.getLeaderGrpcAddress().isEmpty()) {
      return d.getLeaderId().isEmpty()
          ? "not the leader; no leader is known right now (an election may be under way)"
          : "not the leader; the leader " + d.getLeaderId() + " has not announced its gRPC address yet";
    }
    return "not the leader; leader=" + d.getLeaderGrpcAddress()
        + (d.getLeaderId().isEmpty() ? "" : " (" + d.getLeaderId() + ")");
  }
}
