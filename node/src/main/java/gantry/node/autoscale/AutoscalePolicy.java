package gantry.node.autoscale;

import gantry.node.autoscale.Decision.Hold;
import gantry.node.autoscale.Decision.Scale;
import gantry.v1.ScaleMark;
import gantry.v1.ScalingPolicy;
import java.util.Locale;

/**
 * Decides one group's next count from its scaling policy, its state and the load its allocations
 * reported. A pure function: the caller supplies the time and keeps the returned recommendations.
 *
 * <p>In order:
 * <ol>
 *   <li>A count outside {@code [min, max]} moves inside (a user may have set it), load or not.
 *   <li>Without a report in the window, or with reports spanning less of it than
 *       {@link Signal#coversWindow()} asks, nothing is decided.
 *   <li>Thresholds (no target): CPU averaged over the window above {@code scale_out_above} adds a
 *       step, below {@code scale_in_below} removes one. Memory does not take part: it rarely
 *       falls when replicas are added, so it would only ever scale out.
 *   <li>Target tracking ({@code target_cpu} and/or {@code target_memory}): desired =
 *       ceil(count × utilization / target), unchanged within 10 % of the target (Kubernetes'
 *       tolerance); with both, the larger count.
 *   <li>The recommendation is clamped to {@code [max(min, 1), max]}: the policy never scales to 0
 *       by itself, since a group of none reports no load to scale out again from.
 *   <li>Scale-in goes only down to the highest recommendation of the stabilization window;
 *       scale-out is not delayed by it.
 *   <li>Cooldowns from the last scale (a user's or the autoscaler's): scale-out after
 *       {@code scale_out_cooldown}, scale-in after {@code scale_in_cooldown}, each
 *       {@code cooldown} when not set.
 *   <li>At most {@code max_step} replicas move in one decision when it is above 0.
 * </ol>
 */
public final class AutoscalePolicy {
  /** Kubernetes' HPA tolerance: a utilization within 10 % of its target is on target. */
  static final double TOLERANCE = 0.10;
  /** ceil(4 × 90 / 60) must be 6, not 7 because the division lands a hair above 6. */
  private static final double EPSILON = 1e-9;

  private AutoscalePolicy() {}

  /** What the load asks for before bounds, stabilization and cooldowns. */
  private record Proposal(int count, String why) {}

  public static Decision decide(ScalingPolicy policy, GroupState state, Signal signal, long nowMs) {
    int current = state.count();
    Recommendations recs = state.recommendations();
    int min = policy.getMin();
    int max = policy.getMax();
    if (current < min) return move(policy, state, nowMs, min, "below min " + min, recs);
    if (current > max) return move(policy, state, nowMs, max, "above max " + max, recs);
    if (current == 0) {
      return new Hold("count is 0: no allocation reports load to scale from (gantry job scale sets a count)", recs);
    }
    if (recs.entries().isEmpty()) {
      // A group seen for the first time (or by a new leader) counts as recommending its count
      // now, as Kubernetes seeds it: a failover must not skip the stabilization window.
      recs = recs.with(nowMs, current, policy.getScaleInStabilizationMs());
    }
    String window = duration(policy.getWindowMs());
    if (!signal.hasSamples()) return new Hold("no reports in the last " + window, recs);
    if (!signal.coversWindow()) {
      return new Hold("reports span " + signal.coveredMs() / 1_000 + "s of the " + window + " window so far", recs);
    }
    Proposal proposal = hasTarget(policy) ? target(policy, current, signal) : thresholds(policy, current, signal);
    int floor = Math.max(min, 1);
    int recommended = Math.clamp(proposal.count(), floor, max);
    recs = recs.with(nowMs, recommended, policy.getScaleInStabilizationMs());
    if (recommended == current) {
      if (proposal.count() > max) return new Hold(proposal.why() + ", but already at max " + max, recs);
      if (proposal.count() < floor) return new Hold(proposal.why() + ", but already at " + floorName(min), recs);
      return new Hold(proposal.why(), recs);
    }
    int to = recommended;
    String why = proposal.why();
    if (recommended < current) {
      long stabilization = policy.getScaleInStabilizationMs();
      int highest = recs.highestSince(nowMs - stabilization).orElse(recommended);
      to = Math.min(current, highest);
      if (to == current) {
        return new Hold(why + "; scale-in held: " + highest + " recommended within the last " + duration(stabilization), recs);
      }
      if (to != recommended) {
        why += ", " + highest + " the highest recommendation of the last " + duration(stabilization);
      }
    }
    return move(policy, state, nowMs, to, why, recs);
  }

  /** From the current count to {@code to}, unless a cooldown holds it; at most max_step at once. */
  private static Decision move(ScalingPolicy policy, GroupState state, long nowMs, int to, String why,
      Recommendations recs) {
    int from = state.count();
    boolean out = to > from;
    long cooldown = out
        ? (policy.hasScaleOutCooldownMs() ? policy.getScaleOutCooldownMs() : policy.getCooldownMs())
        : (policy.hasScaleInCooldownMs() ? policy.getScaleInCooldownMs() : policy.getCooldownMs());
    if (state.lastScale().isPresent()) {
      ScaleMark last = state.lastScale().get();
      long left = last.getTimeMs() + cooldown - nowMs;
      if (left > 0) {
        return new Hold((out ? "scale-out" : "scale-in") + " cooldown: " + seconds(left) + " left after "
            + last.getFrom() + " -> " + last.getTo() + (last.getAutoscaler() ? " by the autoscaler" : " by a user")
            + " (" + why + ": " + from + " -> " + to + ")", recs);
      }
    }
    int maxStep = policy.getMaxStep();
    if (maxStep > 0 && Math.abs(to - from) > maxStep) {
      to = out ? from + maxStep : from - maxStep;
      why += ", max_step " + maxStep;
    }
    return new Scale(from, to, why + ": " + from + " -> " + to, recs);
  }

  private static Proposal thresholds(ScalingPolicy policy, int current, Signal signal) {
    double cpu = signal.cpuPercent();
    int above = policy.getScaleOutAbove();
    int below = policy.getScaleInBelow();
    String over = " for " + duration(policy.getWindowMs());
    if (cpu > above) return new Proposal(current + step(policy, current), "cpu " + percent(cpu, above) + "% > " + above + "%" + over);
    if (cpu < below) return new Proposal(current - step(policy, current), "cpu " + percent(cpu, below) + "% < " + below + "%" + over);
    return new Proposal(current, "cpu " + percent(cpu, -1) + "% within " + below + ".." + above + "%");
  }

  private static int step(ScalingPolicy policy, int current) {
    if (policy.getStep() > 0) return policy.getStep();
    if (policy.getStepPercent() > 0) return Math.max(1, (int) Math.ceil(current * policy.getStepPercent() / 100.0 - EPSILON));
    return 1;
  }

  private static Proposal target(ScalingPolicy policy, int current, Signal signal) {
    Proposal best = null;
    if (policy.getTargetCpu() > 0) best = track("cpu", policy.getTargetCpu(), signal.cpuPercent(), current);
    if (policy.getTargetMemory() > 0) {
      Proposal memory = track("memory", policy.getTargetMemory(), signal.memoryPercent(), current);
      if (best == null || memory.count() > best.count()) best = memory;
    }
    return best;
  }

  private static Proposal track(String metric, int target, double utilization, int current) {
    double ratio = utilization / target;
    String why = "target " + metric + " " + target + "%: " + metric + " " + percent(utilization, -1) + "% of "
        + current + (current == 1 ? " replica" : " replicas");
    if (Math.abs(ratio - 1) <= TOLERANCE) return new Proposal(current, why + " is within 10%");
    return new Proposal((int) Math.min(Integer.MAX_VALUE, Math.ceil(current * ratio - EPSILON)), why);
  }

  static boolean hasTarget(ScalingPolicy policy) {
    return policy.getTargetCpu() > 0 || policy.getTargetMemory() > 0;
  }

  private static String floorName(int min) {
    return min >= 1 ? "min " + min : "1 (the autoscaler does not scale to 0)";
  }

  /** Whole percent, unless rounding would make "80% > 80%" of a value just past its threshold. */
  static String percent(double value, int threshold) {
    long rounded = Math.round(value);
    if (rounded == threshold && value != threshold) return String.format(Locale.ROOT, "%.1f", value);
    return Long.toString(rounded);
  }

  /** A policy's own duration, as its user would write it: 30s, 90s, 5m, 1h, 1500ms (60s, not 1m). */
  static String duration(long ms) {
    if (ms > 0 && ms % 3_600_000 == 0) return ms / 3_600_000 + "h";
    if (ms >= 120_000 && ms % 60_000 == 0) return ms / 60_000 + "m";
    if (ms % 1_000 == 0) return ms / 1_000 + "s";
    return ms + "ms";
  }

  /** Time left, rounded up to whole seconds so "0s left" never appears. */
  private static String seconds(long ms) {
    return (ms + 999) / 1_000 + "s";
  }
}
