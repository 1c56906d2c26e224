package gantry.node.autoscale;

import gantry.v1.ScaleMark;
import java.util.Optional;

/**
 * What the policy needs to know of a group besides its load.
 *
 * @param count the group's count now (the spec's, not how many allocations run)
 * @param lastScale the group's last count change, by a user or the autoscaler
 *     ({@code Job.last_scale}): cooldowns start there
 * @param recommendations what the previous decisions returned, kept by the caller
 */
public record GroupState(int count, Optional<ScaleMark> lastScale, Recommendations recommendations) {
  public GroupState {
    if (count < 0) throw new IllegalArgumentException("count must not be negative, got " + count);
  }

  /** A group never scaled, with no recommendation yet. */
  public static GroupState of(int count) {
    return new GroupState(count, Optional.empty(), Recommendations.NONE);
  }
}
