package gantry.chaos.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.chaos.checker.AllocationChecker.Convergence;
import gantry.chaos.checker.AllocationChecker.Sample;
import gantry.chaos.checker.AllocationChecker.Scale;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AllocationCheckerTest {
  static final Duration WINDOW = Duration.ofSeconds(5);
  static final Convergence CONVERGED = new Convergence(true, 1200, Duration.ofSeconds(60), "ok");
  final AllocationChecker checker = new AllocationChecker(List.of(new Scale(0, 1, 2, true)), WINDOW, Duration.ZERO);

  static Sample at(double seconds, Map<String, Set<String>> running) {
    return new Sample((long) (seconds * 1e9), running);
  }

  /** Two replicas; at 10 s a1 is cut off, x is replaced by z on a2, and a1 stops x at 10 + fenceAfter. */
  static List<Sample> nodeLoss(double fenceAfter) {
    List<Sample> out = new ArrayList<>();
    for (double t = 0; t < 30; t += 0.5) {
      if (t < 13) {
        out.add(at(t, Map.of("x", Set.of("a1"), "y", Set.of("a2"))));
      } else if (t < 10 + fenceAfter) {
        out.add(at(t, Map.of("x", Set.of("a1"), "y", Set.of("a2"), "z", Set.of("a2"))));
      } else {
        out.add(at(t, Map.of("y", Set.of("a2"), "z", Set.of("a2"))));
      }
    }
    return out;
  }

  @Test
  void aReplacementThatOverlapsWithinTheFencingWindowIsValid() {
    Verdict v = checker.check(nodeLoss(5), CONVERGED);
    assertTrue(v.valid(), v.detail());
  }

  @Test
  void anOldCopyThatOutlivesTheFencingWindowIsNot() {
    Verdict v = checker.check(nodeLoss(12), CONVERGED);
    assertFalse(v.valid(), v.detail());
    assertTrue(v.detail().contains("longer than the fencing window"), v.detail());
  }

  @Test
  void oneAllocationOnTwoAgentsIsNeverValid() {
    List<Sample> s = List.of(at(0, Map.of("x", Set.of("a1"))), at(0.5, Map.of("x", Set.of("a1", "a2"))), at(1, Map.of("x", Set.of("a2"))));
    Verdict v = checker.check(s, CONVERGED);
    assertFalse(v.valid(), v.detail());
    assertTrue(v.detail().contains("ran on"), v.detail());
  }

  @Test
  void tooManyReplicasAtTheEndOrNoConvergenceAreInvalid() {
    List<Sample> s = List.of(at(0, Map.of("x", Set.of("a1"), "y", Set.of("a2"), "z", Set.of("a2"))));
    assertFalse(checker.check(s, CONVERGED).valid());
    List<Sample> fine = List.of(at(0, Map.of("x", Set.of("a1"), "y", Set.of("a2"))));
    assertTrue(checker.check(fine, CONVERGED).valid());
    assertFalse(checker.check(fine, new Convergence(false, 60000, Duration.ofSeconds(60), "1 running of 2")).valid());
    assertFalse(checker.check(List.of(), CONVERGED).valid());
  }

  static long s(double seconds) {
    return (long) (seconds * 1e9);
  }

  @Test
  void theAllowedCountFollowsAcknowledgedAndPossibleScales() {
    var c = new AllocationChecker(List.of(new Scale(s(0), s(1), 2, true), new Scale(s(10), s(11), 4, true),
        new Scale(s(20), Long.MAX_VALUE, 6, false), new Scale(s(30), s(31), 2, true)), WINDOW, Duration.ZERO);
    assertEquals(2, c.allowed(s(5)));
    assertEquals(4, c.allowed(s(10.5)), "a scale up may take effect from its invoke");
    assertEquals(4, c.allowed(s(15)));
    assertEquals(6, c.allowed(s(25)), "an unknown scale may have taken effect");
    assertEquals(6, c.allowed(s(40)), "and may still take effect late");
    var scaledDown = new AllocationChecker(List.of(new Scale(s(0), s(1), 4, true), new Scale(s(10), s(11), 2, true)), WINDOW,
        Duration.ofSeconds(3));
    assertEquals(4, scaledDown.allowed(s(10.5)));
    assertEquals(4, scaledDown.allowed(s(13)), "a scale-down gets the settle time to stop what it removed");
    assertEquals(2, scaledDown.allowed(s(14.5)));
  }

  @Test
  void replicasAScaleDownRemovedMustStopWithinTheWindow() {
    var c = new AllocationChecker(List.of(new Scale(s(0), s(1), 3, true), new Scale(s(10), s(11), 2, true)), WINDOW,
        Duration.ZERO);
    List<Sample> quick = new ArrayList<>();
    List<Sample> stuck = new ArrayList<>();
    for (double t = 0; t < 30; t += 0.5) {
      var three = Map.of("x", Set.of("a1"), "y", Set.of("a2"), "z", Set.of("a1"));
      var two = Map.of("x", Set.of("a1"), "y", Set.of("a2"));
      quick.add(at(t, t < 12 ? three : two));
      stuck.add(at(t, t < 20 ? three : two));
    }
    assertTrue(c.check(quick, CONVERGED).valid());
    Verdict v = c.check(stuck, CONVERGED);
    assertFalse(v.valid(), v.detail());
  }
}
