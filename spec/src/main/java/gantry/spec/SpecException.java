package gantry.spec;

/** A job spec file is malformed; the message starts with the path of the field, e.g. {@code groups[0].count: ...}. */
public final class SpecException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final String reason;

  public SpecException(String path, String reason) {
    super(path + ": " + reason);
    this.path = path;
    this.reason = reason;
  }

  /** The field path, such as {@code groups[0].tasks[1].resources.memory}, or {@code spec} for the whole file. */
  public String path() {
    return path;
  }

  /** The message without the path: what is wrong with the field. */
  public String reason() {
    return reason;
  }
}
