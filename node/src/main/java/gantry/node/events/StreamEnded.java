package gantry.node.events;

/** A subscription ended on the server's side; the caller should open it again from its last index. */
public final class StreamEnded extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why a subscription ended. */
  public enum Reason {
    /** It read so slowly that the ring dropped events it had not been handed yet. */
    FELL_BEHIND,
    /** The peer replaced its state with a snapshot: the events of the entries it covers were never made here. */
    STATE_REPLACED,
    /** The peer shuts down. */
    CLOSED,
    /** The subscriber cancelled it. */
    CANCELLED
  }

  private final Reason reason;

  StreamEnded(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
