package gantry.node.acl;

import java.util.Locale;
import java.util.Optional;

/** What a policy rule reaches; the names are the keys of a policy file. */
public enum Resource {
  JOBS, NODES, OPERATOR, ACL, EVENTS;

  /** The name in a policy file and in a denial ("jobs"). */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Optional<Resource> of(String wireName) {
    for (Resource r : values()) {
      if (r.wireName().equals(wireName)) return Optional.of(r);
    }
    return Optional.empty();
  }
}
