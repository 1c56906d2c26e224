package gantry.node.acl;

/** A policy file that cannot be used; the message starts with the key at fault ("jobs.access: ..."). */
public final class PolicyException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public PolicyException(String message) {
    super(message);
  }
}
