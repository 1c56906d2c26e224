package gantry.spec;

import java.util.List;

/** A job spec broke one or more rules; each violation names the field and the reason. */
public final class InvalidSpecException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  private final transient List<String> violations;

  public InvalidSpecException(List<String> violations) {
    super(String.join("; ", violations));
    this.violations = List.copyOf(violations);
  }

  public List<String> violations() {
    return violations;
  }
}
