package gantry.node.acl;

import java.util.Locale;
import java.util.Optional;

/**
 * The level of a rule: {@code write} implies {@code read}; {@code deny} takes away whatever other
 * rules of the same reach grant (deny wins). A {@link Need} asks for READ or WRITE only.
 */
public enum Access {
  READ, WRITE, DENY;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Access> of(String wireName) {
    for (Access a : values()) {
      if (a.wireName().equals(wireName)) return Optional.of(a);
    }
    return Optional.empty();
  }

  /** Whether a grant at this level gives {@code needed} (READ or WRITE). */
  boolean gives(Access needed) {
    return this != DENY && ordinal() >= needed.ordinal();
  }
}
