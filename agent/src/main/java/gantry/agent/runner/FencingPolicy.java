package gantry.agent.runner;

import gantry.v1.GroupSpec;
import java.time.Duration;
import java.time.Instant;

/**
 * Whether an allocation must stop because no manager has been reachable for too long: its
 * group's {@code disconnect.stop_after} is above zero and the time since the last contact exceeds
 * it. The managers have, by then, marked the node down and placed a replacement elsewhere; stopping
 * here keeps that replacement from having a long-lived twin. Pure.
 */
public final class FencingPolicy {
  private FencingPolicy() {}

  /** The group's limit, or null when the group never fences. */
  public static Duration limit(GroupSpec group) {
    long ms = group.hasDisconnect() ? group.getDisconnect().getStopAfterMs() : 0;
    return ms > 0 ? Duration.ofMillis(ms) : null;
  }

  public static boolean shouldFence(GroupSpec group, Instant lastContact, Instant now) {
    Duration limit = limit(group);
    return limit != null && Duration.between(lastContact, now).compareTo(limit) > 0;
  }

  /** The description reported for a fenced allocation. */
  public static String description(Instant lastContact, Instant now) {
    return "fenced: no manager for " + Duration.between(lastContact, now).toSeconds() + "s";
  }
}
