package gantry.security;

/**
 * A certificate request the issuer refuses. {@link #field()} names the request's field the way
 * the CLI names its flag ({@code name}, {@code dns}, {@code ip}, {@code days}), so the CLI can say
 * {@code --ip: ...} without knowing the rules.
 */
public final class InvalidRequestException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String field;

  public InvalidRequestException(String field, String reason) {
    super(reason);
    this.field = field;
  }

  public String field() {
    return field;
  }
}
