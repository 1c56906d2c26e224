package gantry.node.autoscale;

import gantry.node.autoscale.Decision.Scale;
import gantry.v1.ScaleMark;
import gantry.v1.ScalingPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongToDoubleFunction;

/**
 * One group driven the way the leader drives it: its allocations report every 5 s, the policy
 * decides every second, and each Scale is applied at once (with the autoscaler's ScaleMark).
 * Load is a total demand in millicores shared evenly by the running allocations, so adding a
 * replica lowers each one's utilization as it would in a real service.
 */
final class GroupSimulation {
  static final long RESERVED_CPU = 1_000;
  static final long RESERVED_MEMORY = 512;
  static final long REPORT_EVERY_MS = 5_000;

  /** A decision taken at a time. */
  record Step(long timeMs, int count, Decision decision) {}

  private final ScalingPolicy policy;
  private final UtilizationWindow window = new UtilizationWindow();
  private int count;
  private Optional<ScaleMark> lastScale = Optional.empty();
  private Recommendations recommendations = Recommendations.NONE;
  final List<Step> steps = new ArrayList<>();

  GroupSimulation(ScalingPolicy policy, int count) {
    this.policy = policy;
    this.count = count;
  }

  /**
   * Runs from {@code fromMs} to {@code toMs}; {@code demand} gives the group's total CPU use in
   * millicores at a time (ms).
   */
  GroupSimulation run(long fromMs, long toMs, LongToDoubleFunction demand) {
    for (long now = fromMs; now <= toMs; now += 1_000) {
      if (now % REPORT_EVERY_MS == 0) {
        double each = demand.applyAsDouble(now) / count;
        for (int i = 0; i < count; i++) {
          window.add(new Sample("a" + i, "web/frontend", now, each, 100, RESERVED_CPU, RESERVED_MEMORY));
        }
      }
      window.prune(now);
      Decision d = AutoscalePolicy.decide(policy, new GroupState(count, lastScale, recommendations),
          window.signal(running(), policy.getWindowMs(), now), now);
      recommendations = d.recommendations();
      steps.add(new Step(now, count, d));
      if (d instanceof Scale s) {
        lastScale = Optional.of(ScaleMark.newBuilder().setTimeMs(now).setAutoscaler(true).setFrom(s.from()).setTo(s.to())
            .setReason(s.reason()).build());
        for (int i = s.to(); i < count; i++) window.forget("a" + i); // scaling in stops the highest indexes
        count = s.to();
      }
    }
    return this;
  }

  int count() {
    return count;
  }

  List<Scale> scales() {
    return steps.stream().map(Step::decision).filter(Scale.class::isInstance).map(Scale.class::cast).toList();
  }

  /** The time of each scale, in the order they happened. */
  List<Long> scaleTimes() {
    return steps.stream().filter(s -> s.decision() instanceof Scale).map(Step::timeMs).toList();
  }

  private List<String> running() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) ids.add("a" + i);
    return ids;
  }
}
