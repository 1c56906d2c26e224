package gantry.node.events;

import gantry.node.control.ControlException;
import gantry.node.store.Keys;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** The kinds of object an event is about; the name is what {@code Event.topic} and the filters say. */
public enum Topic {
  JOB(Keys.JOB),
  ALLOCATION(Keys.ALLOC),
  NODE(Keys.NODE),
  EVALUATION(Keys.EVAL),
  DEPLOYMENT(Keys.DEPLOYMENT),
  /** A group's count change (JobScaled): made from the job a JobScaled record wrote, not a key of its own. */
  SCALING(null),
  /**
   * A service's endpoint joining or leaving ({@link ServiceEvents}): made from the allocations and
   * nodes an entry wrote, not a key of its own.
   */
  SERVICE(null);

  private final String keyPrefix;
  private final String wireName = name().toLowerCase(Locale.ROOT);

  Topic(String keyPrefix) {
    this.keyPrefix = keyPrefix;
  }

  public String wireName() {
    return wireName;
  }

  /**
   * The topic of a state-store key, empty for the keys that make no event: job versions (each is
   * also a job event), peers' addresses and the applied position.
   */
  static Optional<Topic> ofStoreKey(String key) {
    for (Topic t : values()) {
      if (t.keyPrefix != null && key.startsWith(t.keyPrefix)) return Optional.of(t);
    }
    return Optional.empty();
  }

  String idOf(String storeKey) {
    return storeKey.substring(keyPrefix.length());
  }

  /** The allowed names, comma-separated, for error messages and help. */
  public static String allowed() {
    return Arrays.stream(values()).map(Topic::wireName).collect(Collectors.joining(", "));
  }

  /**
   * Reads topic names as a request gives them (empty: every topic).
   *
   * @param field the request's name for them ({@code topics} over gRPC, {@code topic} over HTTP)
   * @throws ControlException INVALID_ARGUMENT naming {@code field}, the bad name and the allowed ones
   */
  public static Set<Topic> parse(List<String> names, String field) {
    Set<Topic> topics = EnumSet.noneOf(Topic.class);
    for (String n : names) {
      Topic found = Arrays.stream(values()).filter(t -> t.wireName.equals(n.trim())).findFirst()
          .orElseThrow(() -> new ControlException(ControlException.Code.INVALID_ARGUMENT,
              field + ": unknown topic \"" + n + "\"; allowed: " + allowed()));
      topics.add(found);
    }
    return topics;
  }
}
