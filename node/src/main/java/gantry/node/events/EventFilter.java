package gantry.node.events;

import gantry.v1.Event;
import java.util.EnumSet;
import java.util.Set;

/**
 * Which events a subscriber wants: some topics (empty: all) and one key (empty: all).
 *
 * @param topics the topics wanted; empty means every topic
 * @param key    the key wanted (job name, allocation id, "job/group"...); empty means every key
 */
public record EventFilter(Set<Topic> topics, String key) {
  public static final EventFilter ALL = new EventFilter(Set.of(), "");

  public EventFilter {
    topics = topics.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(topics));
    key = key == null ? "" : key;
  }

  boolean matches(Event e) {
    if (!key.isEmpty() && !key.equals(e.getKey())) return false;
    return topics.isEmpty() || topics.stream().anyMatch(t -> t.wireName().equals(e.getTopic()));
  }
}
