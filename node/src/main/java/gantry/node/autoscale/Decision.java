package gantry.node.autoscale;

/**
 * What {@link AutoscalePolicy#decide} concluded for one group at one moment. Either way it carries
 * the recommendations to keep for the group's next decision.
 */
public sealed interface Decision {
  Recommendations recommendations();

  /** Set the group's count from {@code from} to {@code to}; {@code reason} is for people. */
  record Scale(int from, int to, String reason, Recommendations recommendations) implements Decision {}

  /** Leave the count as it is, and why. */
  record Hold(String why, Recommendations recommendations) implements Decision {}
}
