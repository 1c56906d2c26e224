package gantry.chaos.checker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.chaos.checker.AllocationChecker.AgentRestart;
import gantry.chaos.checker.AllocationChecker.Convergence;
import gantry.chaos.checker.AllocationChecker.JobRead;
import gantry.chaos.checker.AllocationChecker.Sample;
import gantry.chaos.checker.AllocationChecker.Scale;
import gantry.chaos.checker.AllocationChecker.TaskProcess;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AllocationCheckerTest {
  static final Duration WINDOW = Duration.ofSeconds(5);
  static final Convergence CONVERGED = new Convergence(true, 1200, Duration.ofSeconds(60), "ok");
  final AllocationChecker checker = checker(List.of(ok(0, 1, 2, "s1", 1)), List.of(), Duration.ZERO);

  static AllocationChecker checker(List<Scale> scales, List<JobRead> reads, Duration settle) {
    return new AllocationChecker(scales, reads, List.of(), WINDOW, settle, 0);
  }

  static long s(double seconds) {
    return (long) (seconds * 1e9);
  }

  static Scale ok(double invoke, double complete, int count, String marker, long version) {
    return new Scale(s(invoke), s(complete), count, true, marker, version);
  }

  static Scale unknown(double invoke, int count, String marker) {
    return new Scale(s(invoke), Long.MAX_VALUE, count, false, marker, 0);
  }

  static JobRead read(double invoke, double complete, long version, String marker, int count) {
    return new JobRead(s(invoke), s(complete), version, marker, count);
  }

  /** A sample where each allocation's process has a pid derived from its id and agent, so it is the same process throughout. */
  static Sample at(double seconds, Map<String, Set<String>> running) {
    List<TaskProcess> ps = new ArrayList<>();
    running.forEach((alloc, agents) -> agents.forEach(agent -> ps.add(new TaskProcess(alloc, agent,
        Math.abs((alloc + agent).hashCode()) % 100_000, 7))));
    return new Sample(s(seconds), ps);
  }

  static Sample processes(double seconds, TaskProcess... ps) {
    return new Sample(s(seconds), List.of(ps));
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

  @Test
  void theAllowedCountFollowsTheVersionsInForce() {
    var c = checker(List.of(ok(0, 1, 2, "s1", 1), ok(10, 11, 4, "s2", 2), ok(30, 31, 2, "s3", 3)), List.of(), Duration.ZERO);
    assertEquals(2, c.allowed(s(5)));
    assertEquals(4, c.allowed(s(10.5)), "a scale-up may take effect from its invoke");
    assertEquals(4, c.allowed(s(15)));
    assertEquals(4, c.allowed(s(30.5)), "a scale-down is certain only once acknowledged");
    assertEquals(2, c.allowed(s(40)));
    var settled = checker(List.of(ok(0, 1, 4, "s1", 1), ok(10, 11, 2, "s2", 2)), List.of(), Duration.ofSeconds(3));
    assertEquals(4, settled.allowed(s(13)), "a scale-down gets the settle time to stop what it removed");
    assertEquals(2, settled.allowed(s(14.5)));
  }

  @Test
  void anUnknownScaleUpCountsOnlyUntilALaterVersionShowsItFailedOrWasOverwritten() {
    // s2 (to 6) times out; s3 (to 2) is acknowledged as version 2: s2 never became a version before it.
    var failed = checker(List.of(ok(0, 1, 2, "s1", 1), unknown(10, 6, "s2"), ok(20, 21, 2, "s3", 2)),
        List.of(read(22, 23, 2, "s3", 2), read(40, 41, 2, "s3", 2)), Duration.ZERO);
    assertEquals(2, failed.allowed(s(15)), "a version gap would be needed for s2 to have been in force");
    assertEquals(2, failed.allowed(s(30)), "after the reads show version 2 with s3, s2 is known not to be in force");
    assertEquals(6, failed.allowed(s(50)), "after the last read it may still land");
    // s2 did land as version 2 (no read saw it), then s3 overwrote it as version 3.
    var overwritten = checker(List.of(ok(0, 1, 2, "s1", 1), unknown(10, 6, "s2"), ok(20, 21, 2, "s3", 3)),
        List.of(read(40, 41, 3, "s3", 2)), Duration.ZERO);
    assertEquals(6, overwritten.allowed(s(15)), "the gap at version 2 is s2");
    assertEquals(2, overwritten.allowed(s(30)), "overwritten by the acknowledged version 3");
    // A read saw s2 in force: it counts from its invoke until its successor is certain.
    var seen = checker(List.of(ok(0, 1, 2, "s1", 1), unknown(10, 6, "s2"), ok(20, 21, 2, "s3", 3)),
        List.of(read(12, 13, 2, "s2", 6)), Duration.ZERO);
    assertEquals(6, seen.allowed(s(18)));
    assertEquals(2, seen.allowed(s(25)));
  }

  @Test
  void twoSpecsForOneVersionAreReported() {
    var c = checker(List.of(ok(0, 1, 2, "s1", 1), ok(10, 11, 4, "s2", 2)), List.of(read(12, 13, 2, "s9", 3)), Duration.ZERO);
    Verdict v = c.check(List.of(at(0, Map.of("x", Set.of("a1")))), CONVERGED);
    assertFalse(v.valid(), v.detail());
    assertTrue(v.detail().contains("two specs"), v.detail());
  }

  @Test
  void replicasAScaleDownRemovedMustStopWithinTheWindow() {
    var c = checker(List.of(ok(0, 1, 3, "s1", 1), ok(10, 11, 2, "s2", 2)), List.of(), Duration.ZERO);
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

  @Test
  void anAllocationStartedTwiceOnOneAgentIsAViolation() {
    // x ran as pid 10, was stopped at 5 s, and came back as pid 20 at 8 s: a stale leader's assignments.
    List<Sample> s = List.of(processes(0, new TaskProcess("x", "a1", 10, 100)), processes(4, new TaskProcess("x", "a1", 10, 100)),
        processes(6), processes(8, new TaskProcess("x", "a1", 20, 900)));
    Verdict v = checker.check(s, CONVERGED);
    assertFalse(v.valid(), v.detail());
    assertTrue(v.detail().contains("started again on a1"), v.detail());
  }

  @Test
  void aRestartOfTheAgentExplainsASecondStart() {
    List<Sample> s = List.of(processes(0, new TaskProcess("x", "a1", 10, 100)), processes(4, new TaskProcess("x", "a1", 10, 100)),
        processes(6), processes(8, new TaskProcess("x", "a1", 20, 900)));
    var c = new AllocationChecker(List.of(ok(0, 1, 1, "s1", 1)), List.of(), List.of(new AgentRestart("a1", s(4.2), s(7))),
        WINDOW, Duration.ZERO, 0);
    Verdict v = c.check(s, CONVERGED);
    assertTrue(v.valid(), v.detail());
    var otherAgent = new AllocationChecker(List.of(ok(0, 1, 1, "s1", 1)), List.of(), List.of(new AgentRestart("a2", s(4.2), s(7))),
        WINDOW, Duration.ZERO, 0);
    assertFalse(otherAgent.check(s, CONVERGED).valid(), "a restart of another agent explains nothing");
    var policy = new AllocationChecker(List.of(ok(0, 1, 1, "s1", 1)), List.of(), List.of(), WINDOW, Duration.ZERO, 1);
    assertTrue(policy.check(s, CONVERGED).valid(), "within a restart budget of 1 a task failure may explain it");
  }

  @Test
  void twoProcessesOfOneAllocationAtOnceOnOneAgentAreAViolation() {
    List<Sample> s = List.of(processes(0, new TaskProcess("x", "a1", 10, 100), new TaskProcess("x", "a1", 11, 101)));
    Verdict v = checker.check(s, CONVERGED);
    assertFalse(v.valid(), v.detail());
    assertTrue(v.detail().contains("ran twice at once"), v.detail());
  }

  @Test
  void theSameProcessSeenAgainAndAgainIsOneStart() {
    List<Sample> s = new ArrayList<>();
    for (double t = 0; t < 10; t += 0.25) s.add(processes(t, new TaskProcess("x", "a1", 10, 100), new TaskProcess("y", "a2", 10, 200)));
    Verdict v = checker.check(s, CONVERGED);
    assertTrue(v.valid(), v.detail());
    assertTrue(v.detail().contains("2 task starts"), v.detail());
  }
}
