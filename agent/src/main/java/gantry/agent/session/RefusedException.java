package gantry.agent.session;

/**
 * A manager refused this agent (with mutual TLS: its certificate's role, or a name other than the
 * node's). Unlike a lost connection or a redirect this will not pass by itself, so the session
 * says it at WARN each time it tries again.
 */
public final class RefusedException extends Exception {
  private static final long serialVersionUID = 1L;

  public RefusedException(String reason, Throwable cause) {
    super(reason, cause);
  }
}
