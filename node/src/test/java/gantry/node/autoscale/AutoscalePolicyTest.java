package gantry.node.autoscale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.node.autoscale.Decision.Hold;
import gantry.node.autoscale.Decision.Scale;
import gantry.spec.JobSpecParser;
import gantry.v1.ScaleMark;
import gantry.v1.ScalingPolicy;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Decisions a user would check, from recorded reports (a scaling block as a user writes it). */
class AutoscalePolicyTest {
  static final long NOW = 1_000_000;

  /** The policy the parser makes of a scaling block, defaults included. */
  static ScalingPolicy policy(String scalingYaml) {
    return JobSpecParser.parse("groups: [{scaling: " + scalingYaml + "}]").getGroups(0).getScaling();
  }

  /** Reports of {@code allocations} allocations every 5 s over the last 30 s, each at these percentages. */
  static Signal steady(int allocations, double cpuPercent, double memoryPercent) {
    var window = new UtilizationWindow();
    List<String> ids = new java.util.ArrayList<>();
    for (int i = 0; i < allocations; i++) {
      ids.add("a" + i);
      for (long t = NOW - 30_000; t <= NOW; t += 5_000) {
        window.add(new Sample("a" + i, "web/frontend", t, cpuPercent * 10, Math.round(memoryPercent * 5.12), 1_000, 512));
      }
    }
    return window.signal(ids, 30_000, NOW);
  }

  static Signal steady(int allocations, double cpuPercent) {
    return steady(allocations, cpuPercent, 20);
  }

  /**
   * A group the leader has watched for longer than the stabilization window (its last
   * recommendation, its count, has aged out), never scaled.
   */
  static GroupState watched(int count) {
    return new GroupState(count, Optional.empty(), new Recommendations(List.of(new Recommendations.Entry(NOW - 3_600_001, count))));
  }

  static Decision decide(String scalingYaml, int count, Signal signal) {
    return AutoscalePolicy.decide(policy(scalingYaml), watched(count), signal, NOW);
  }

  static void scales(Decision d, int from, int to, String reason) {
    var s = assertInstanceOf(Scale.class, d, () -> "expected a scale, got " + d);
    assertEquals(from, s.from());
    assertEquals(to, s.to());
    assertEquals(reason, s.reason());
  }

  static void holds(Decision d, String why) {
    var h = assertInstanceOf(Hold.class, d, () -> "expected a hold, got " + d);
    assertTrue(h.why().contains(why), () -> "why: " + h.why());
  }

  static ScaleMark mark(long agoMs, boolean autoscaler, int from, int to) {
    return ScaleMark.newBuilder().setTimeMs(NOW - agoMs).setAutoscaler(autoscaler).setFrom(from).setTo(to).build();
  }

  @Test
  void stepsUpUnderLoadAndBackDownWhenItPasses() {
    var sim = new GroupSimulation(policy("{min: 1, max: 5}"), 2).run(0, 600_000, t -> t < 120_000 ? 1_900 : 300);
    assertEquals(List.of("cpu 95% > 80% for 30s: 2 -> 3", "cpu 10% < 30% for 30s: 3 -> 2", "cpu 15% < 30% for 30s: 2 -> 1"),
        sim.scales().stream().map(Scale::reason).toList());
    // Out once the first reports span the window (25 s: the report at 0 s measured the 5 s
    // before it). The 30 s average first falls under 30% at 136 s; in at 196 s, once no
    // recommendation of 3 is left in the 60 s stabilization window; again 61 s later.
    assertEquals(List.of(25_000L, 196_000L, 257_000L), sim.scaleTimes());
    assertEquals(1, sim.count());
  }

  @Test
  void noiseAroundTheScaleOutThresholdMovesTheCountAtMostOnce() {
    var random = new Random(7);
    var sim = new GroupSimulation(policy("{min: 1, max: 10}"), 3)
        .run(0, 1_200_000, t -> 3 * 1_000 * (0.80 + (random.nextDouble() - 0.5) * 0.16));
    assertTrue(sim.scales().size() <= 1, () -> "scaled " + sim.scales());
    sim.scales().forEach(s -> assertEquals(4, s.to(), "one step out, then 60% each: within the band"));
  }

  @Test
  void noiseAroundTheScaleInThresholdDoesNotFlap() {
    var random = new Random(11);
    var sim = new GroupSimulation(policy("{min: 1, max: 10}"), 4)
        .run(0, 1_200_000, t -> 4 * 1_000 * (0.30 + (random.nextDouble() - 0.5) * 0.10));
    assertTrue(sim.scales().size() <= 1, () -> "scaled " + sim.scales());
    sim.scales().forEach(s -> assertEquals(3, s.to()));
    assertTrue(sim.steps.stream().anyMatch(s -> s.decision() instanceof Hold h && h.why().contains("scale-in held")),
        "dips under 30% happened and stabilization held them");
  }

  @Test
  void aSpikeShorterThanTheWindowDoesNotScale() {
    var sim = new GroupSimulation(policy("{min: 1, max: 5}"), 2)
        .run(0, 300_000, t -> t >= 60_000 && t < 70_000 ? 2_000 : 1_000);
    assertEquals(List.of(), sim.scales(), "10 s at 100% among 50%: the 30 s average stays under 80%");
  }

  @Test
  void reportsSpanningLessThanTheWindowHold() {
    var window = new UtilizationWindow();
    for (long t = NOW - 10_000; t <= NOW; t += 5_000) window.add(new Sample("a0", "web/frontend", t, 1_000, 100, 1_000, 512));
    holds(decide("{min: 1, max: 5}", 1, window.signal(List.of("a0"), 30_000, NOW)), "reports span 10s of the 30s window so far");
  }

  @Test
  void aSilentAllocationIsLeftOutNotCountedAsIdle() {
    var window = new UtilizationWindow();
    for (long t = NOW - 30_000; t <= NOW; t += 5_000) {
      window.add(new Sample("a0", "web/frontend", t, 400, 100, 1_000, 512));
      window.add(new Sample("a1", "web/frontend", t, 400, 100, 1_000, 512));
    }
    Signal signal = window.signal(List.of("a0", "a1", "a2"), 30_000, NOW);
    assertEquals(java.util.Set.of("a2"), signal.silent());
    // Counted as zero, a2 would bring the average to 27% and remove a replica.
    holds(decide("{min: 1, max: 5}", 3, signal), "cpu 40% within 30..80%");
    holds(decide("{min: 1, max: 5}", 3, window.signal(List.of("a2", "a3"), 30_000, NOW)), "no reports in the last 30s");
  }

  @Test
  void minAndMaxAreNeverCrossedWhateverTheLoad() {
    for (String yaml : List.of("{min: 2, max: 6, step: 3, cooldown: 0s, scale_in_stabilization: 0s}",
        "{min: 2, max: 6, target_cpu: 50, cooldown: 0s, scale_in_stabilization: 0s}")) {
      var random = new Random(3);
      double[] demand = {0};
      var sim = new GroupSimulation(policy(yaml), 4).run(0, 1_800_000, t -> {
        if (t % 10_000 == 0) demand[0] = random.nextDouble() < 0.5 ? 0 : random.nextDouble() * 20_000;
        return demand[0];
      });
      assertTrue(sim.scales().size() > 4, () -> yaml + ": the load should have moved the count, got " + sim.scales());
      sim.steps.forEach(s -> assertTrue(s.count() >= 2 && s.count() <= 6, () -> yaml + ": " + s));
      sim.scales().forEach(s -> assertTrue(s.to() >= 2 && s.to() <= 6, () -> yaml + ": " + s));
    }
  }

  @Test
  void aCountOutsideTheBoundsMovesInsideWithoutASignal() {
    scales(decide("{min: 2, max: 5}", 1, steady(0, 0)), 1, 2, "below min 2: 1 -> 2");
    scales(decide("{min: 2, max: 5}", 8, steady(0, 0)), 8, 5, "above max 5: 8 -> 5");
    scales(decide("{min: 2, max: 5, max_step: 1}", 8, steady(0, 0)), 8, 7, "above max 5, max_step 1: 8 -> 7");
  }

  @Test
  void theAutoscalerNeverScalesToZeroByItself() {
    holds(decide("{min: 0, max: 3}", 1, steady(1, 5)), "cpu 5% < 30% for 30s, but already at 1 (the autoscaler does not scale to 0)");
    holds(decide("{min: 0, max: 3}", 0, steady(0, 0)), "count is 0");
    holds(decide("{min: 1, max: 3}", 3, steady(3, 99)), "cpu 99% > 80% for 30s, but already at max 3");
  }

  @Test
  void scaleOutAndScaleInHaveTheirOwnCooldowns() {
    var policy = policy("{min: 1, max: 10, scale_out_cooldown: 10s, scale_in_cooldown: 5m}");
    var recent = new GroupState(4, Optional.of(mark(5_000, false, 2, 4)), Recommendations.NONE);
    holds(AutoscalePolicy.decide(policy, recent, steady(4, 95), NOW),
        "scale-out cooldown: 5s left after 2 -> 4 by a user (cpu 95% > 80% for 30s: 4 -> 5)");
    var older = new GroupState(4, Optional.of(mark(10_000, false, 2, 4)), Recommendations.NONE);
    scales(AutoscalePolicy.decide(policy, older, steady(4, 95), NOW), 4, 5, "cpu 95% > 80% for 30s: 4 -> 5");
    var minutesAgo = new GroupState(4, Optional.of(mark(120_000, true, 3, 4)), watched(4).recommendations());
    holds(AutoscalePolicy.decide(policy, minutesAgo, steady(4, 10), NOW), "scale-in cooldown: 180s left after 3 -> 4 by the autoscaler");
    var longAgo = new GroupState(4, Optional.of(mark(300_000, true, 3, 4)), watched(4).recommendations());
    scales(AutoscalePolicy.decide(policy, longAgo, steady(4, 10), NOW), 4, 3, "cpu 10% < 30% for 30s: 4 -> 3");
  }

  @Test
  void cooldownCoversBothDirectionsWhenTheyAreNotSet() {
    var policy = policy("{min: 1, max: 10, cooldown: 1m}");
    var state = new GroupState(4, Optional.of(mark(45_000, false, 6, 4)), watched(4).recommendations());
    holds(AutoscalePolicy.decide(policy, state, steady(4, 95), NOW), "scale-out cooldown: 15s left");
    holds(AutoscalePolicy.decide(policy, state, steady(4, 10), NOW), "scale-in cooldown: 15s left");
  }

  @Test
  void scaleInGoesOnlyToTheHighestRecommendationOfTheStabilizationWindow() {
    var policy = policy("{min: 1, max: 10, step: 3}");
    var recent = new Recommendations(List.of(new Recommendations.Entry(NOW - 50_000, 4)));
    var d = AutoscalePolicy.decide(policy, new GroupState(5, Optional.empty(), recent), steady(5, 10), NOW);
    scales(d, 5, 4, "cpu 10% < 30% for 30s, 4 the highest recommendation of the last 60s: 5 -> 4");
    var same = new Recommendations(List.of(new Recommendations.Entry(NOW - 50_000, 5)));
    holds(AutoscalePolicy.decide(policy, new GroupState(5, Optional.empty(), same), steady(5, 10), NOW),
        "scale-in held: 5 recommended within the last 60s");
    var old = new Recommendations(List.of(new Recommendations.Entry(NOW - 70_000, 5)));
    scales(AutoscalePolicy.decide(policy, new GroupState(5, Optional.empty(), old), steady(5, 10), NOW), 5, 2,
        "cpu 10% < 30% for 30s: 5 -> 2");
  }

  @Test
  void aNewLeaderWaitsAStabilizationWindowBeforeScalingIn() {
    var policy = policy("{min: 1, max: 10}");
    var first = AutoscalePolicy.decide(policy, GroupState.of(4), steady(4, 10), NOW);
    holds(first, "scale-in held: 4 recommended within the last 60s");
    var later = AutoscalePolicy.decide(policy, new GroupState(4, Optional.empty(), first.recommendations()), steady(4, 10), NOW + 60_000);
    holds(later, "scale-in held");
    var after = AutoscalePolicy.decide(policy, new GroupState(4, Optional.empty(), later.recommendations()), steady(4, 10), NOW + 60_001);
    assertInstanceOf(Scale.class, after, after::toString);
    scales(AutoscalePolicy.decide(policy, GroupState.of(4), steady(4, 95), NOW), 4, 5, "cpu 95% > 80% for 30s: 4 -> 5");
  }

  @Test
  void scaleOutIsNotDelayedByStabilization() {
    var low = new Recommendations(List.of(new Recommendations.Entry(NOW - 10_000, 2)));
    var d = AutoscalePolicy.decide(policy("{min: 1, max: 10}"), new GroupState(3, Optional.empty(), low), steady(3, 95), NOW);
    scales(d, 3, 4, "cpu 95% > 80% for 30s: 3 -> 4");
  }

  @Test
  void targetTrackingScalesInProportionOutsideTheTolerance() {
    String yaml = "{min: 1, max: 20, target_cpu: 60}";
    scales(decide(yaml, 4, steady(4, 90)), 4, 6, "target cpu 60%: cpu 90% of 4 replicas: 4 -> 6");
    holds(decide(yaml, 4, steady(4, 65)), "target cpu 60%: cpu 65% of 4 replicas is within 10%");
    holds(decide(yaml, 4, steady(4, 54)), "is within 10%");
    scales(decide(yaml, 4, steady(4, 30)), 4, 2, "target cpu 60%: cpu 30% of 4 replicas: 4 -> 2");
    holds(decide(yaml, 4, steady(4, 50)), "target cpu 60%: cpu 50% of 4 replicas"); // ceil(3.33) = 4: no change
  }

  @Test
  void withTwoTargetsTheLargerCountWins() {
    String yaml = "{min: 1, max: 20, target_cpu: 60, target_memory: 50}";
    scales(decide(yaml, 4, steady(4, 30, 75)), 4, 6, "target memory 50%: memory 75% of 4 replicas: 4 -> 6");
    scales(decide(yaml, 4, steady(4, 120, 75)), 4, 8, "target cpu 60%: cpu 120% of 4 replicas: 4 -> 8");
    holds(decide(yaml, 4, steady(4, 30, 50)), "target memory 50%: memory 50% of 4 replicas is within 10%");
  }

  @Test
  void stepPercentIsAShareOfTheCountAndAtLeastOne() {
    String yaml = "{min: 1, max: 20, step_percent: 50}";
    scales(decide(yaml, 4, steady(4, 95)), 4, 6, "cpu 95% > 80% for 30s: 4 -> 6");
    scales(decide(yaml, 1, steady(1, 95)), 1, 2, "cpu 95% > 80% for 30s: 1 -> 2");
    scales(decide(yaml, 5, steady(5, 10)), 5, 2, "cpu 10% < 30% for 30s: 5 -> 2");
  }

  @Test
  void maxStepBoundsOneDecision() {
    scales(decide("{min: 1, max: 50, target_cpu: 60, max_step: 2}", 4, steady(4, 300)), 4, 6,
        "target cpu 60%: cpu 300% of 4 replicas, max_step 2: 4 -> 6");
    scales(decide("{min: 1, max: 50, step: 5, max_step: 2}", 10, steady(10, 5)), 10, 8,
        "cpu 5% < 30% for 30s, max_step 2: 10 -> 8");
  }

  @Test
  void aValueJustPastItsThresholdIsNotPrintedAsTheThreshold() {
    scales(decide("{min: 1, max: 5}", 2, steady(2, 80.3)), 2, 3, "cpu 80.3% > 80% for 30s: 2 -> 3");
  }
}
