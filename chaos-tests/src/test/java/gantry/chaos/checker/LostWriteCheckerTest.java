package gantry.chaos.checker;

import static gantry.chaos.checker.Histories.stopped;
import static gantry.chaos.checker.Histories.v;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.chaos.history.JobState;
import gantry.chaos.history.Op;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LostWriteCheckerTest {
  final LostWriteChecker checker = new LostWriteChecker();

  @Test
  void writesVisibleOrSupersededAreKept() {
    var h = new Histories()
        .register("c1", "a", "x", 0, 10, Op.Outcome.OK, v(1, "x"))
        .register("c1", "a", "y", 11, 20, Op.Outcome.OK, v(2, "y"))
        .stop("c2", "a", 21, 30, stopped(2, "y"))
        .register("c1", "b", "z", 0, 10, Op.Outcome.OK, v(1, "z"));
    var finals = Map.of("m1", Map.of("a", stopped(2, "y"), "b", v(1, "z")),
        "m2", Map.of("a", stopped(2, "y"), "b", v(1, "z")));
    Verdict verdict = checker.check(h.ops(), finals);
    assertTrue(verdict.valid(), verdict.detail());
  }

  @Test
  void lostWriteIsCaught() {
    var h = new Histories()
        .register("c1", "a", "x", 0, 10, Op.Outcome.OK, v(1, "x"))
        .register("c1", "a", "y", 11, 20, Op.Outcome.OK, v(2, "y"));
    Verdict verdict = checker.check(h.ops(), Map.of("m1", Map.of("a", v(1, "x"))));
    assertFalse(verdict.valid());
    assertTrue(verdict.detail().contains("lost write"), verdict.detail());
    assertFalse(checker.check(h.ops(), Map.of("m1", Map.<String, JobState>of())).valid());
  }

  @Test
  void lostStopIsCaught() {
    var h = new Histories()
        .register("c1", "a", "x", 0, 10, Op.Outcome.OK, v(1, "x"))
        .stop("c1", "a", 11, 20, stopped(1, "x"));
    assertFalse(checker.check(h.ops(), Map.of("m1", Map.of("a", v(1, "x")))).valid());
  }

  @Test
  void splitBrainIsCaught() {
    var h = new Histories()
        .register("c1", "a", "x", 0, 10, Op.Outcome.OK, v(1, "x"))
        .register("c2", "a", "y", 0, 10, Op.Outcome.OK, v(1, "y"));
    Verdict verdict = checker.check(h.ops(), Map.of("m1", Map.of("a", v(1, "y"))));
    assertFalse(verdict.valid());
    assertTrue(verdict.detail().contains("split brain"), verdict.detail());
  }
}
