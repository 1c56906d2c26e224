package gantry.node.control;

/** A request failed for a reason the caller can act on; {@link Code} maps onto a gRPC status. */
public final class ControlException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The kinds of failure the control layer reports. */
  public enum Code { INVALID_ARGUMENT, NOT_FOUND, FAILED_PRECONDITION, UNAVAILABLE, PERMISSION_DENIED }

  private final Code code;

  public ControlException(Code code, String message) {
    super(message);
    this.code = code;
  }

  public Code code() {
    return code;
  }
}
