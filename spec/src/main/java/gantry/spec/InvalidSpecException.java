package gantry.spec;

import java.util.List;

/** A job spec broke one or more rules; each violation names the field and the reason. */
public final class InvalidSpecException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;
  /** The message quotes this many violations: forty groups with the same mistake stay one readable line. */
  static final int QUOTED = 10;

  private final transient List<String> violations;

  public InvalidSpecException(List<String> violations) {
    super(summary(violations));
    this.violations = List.copyOf(violations);
  }

  /** Every violation, also those the message leaves out. */
  public List<String> violations() {
    return violations;
  }

  private static String summary(List<String> violations) {
    if (violations.size() <= QUOTED) return String.join("; ", violations);
    return String.join("; ", violations.subList(0, QUOTED)) + "; and " + (violations.size() - QUOTED) + " more";
  }
}
