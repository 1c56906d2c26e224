package gantry.chaos.checker;

import static gantry.chaos.checker.Histories.stopped;
import static gantry.chaos.checker.Histories.v;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.chaos.history.JobState;
import gantry.chaos.history.Op;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class LinearizabilityCheckerTest {
  static final Op.Outcome OK = Op.Outcome.OK;
  static final Op.Outcome UNKNOWN = Op.Outcome.UNKNOWN;
  final LinearizabilityChecker checker = new LinearizabilityChecker();

  @Test
  void knownGoodHistoryWithConcurrencyIsValid() {
    var h = new Histories()
        .register("c1", "a", "x", 0, 10, OK, v(1, "x"))
        // concurrent with the next register: may see either
        .read("c2", "a", 12, 30, v(2, "y"))
        .register("c1", "a", "y", 15, 25, OK, v(2, "y"))
        .stop("c3", "a", 31, 40, stopped(2, "y"))
        .read("c2", "a", 41, 45, stopped(2, "y"))
        .register("c1", "a", "z", 46, 50, OK, v(3, "z"))
        .read("c2", "b", 0, 5, JobState.ABSENT)
        .stop("c3", "b", 6, 8, JobState.ABSENT);
    Verdict verdict = checker.check(h.ops());
    assertTrue(verdict.valid(), verdict.detail());
    assertEquals(8, verdict.ops());
  }

  @Test
  void staleReadIsCaught() {
    var h = new Histories()
        .register("c1", "a", "x", 0, 10, OK, v(1, "x"))
        .register("c1", "a", "y", 11, 20, OK, v(2, "y"))
        .read("c2", "a", 21, 25, v(1, "x"));
    Verdict verdict = checker.check(h.ops());
    assertFalse(verdict.valid());
    assertTrue(verdict.detail().contains("key a"), verdict.detail());
  }

  @Test
  void lostWriteIsCaught() {
    var h = new Histories()
        .register("c1", "a", "x", 0, 10, OK, v(1, "x"))
        .register("c1", "a", "y", 11, 20, OK, v(2, "y"))
        .read("final", "a", 100, 101, v(1, "x"));
    assertFalse(checker.check(h.ops()).valid());
  }

  @Test
  void splitBrainIsCaught() {
    var h = new Histories()
        .register("c1", "a", "x", 0, 10, OK, v(1, "x"))
        .register("c1", "a", "y", 20, 30, OK, v(2, "y"))
        .register("c2", "a", "z", 21, 31, OK, v(2, "z"));
    assertFalse(checker.check(h.ops()).valid());
  }

  @Test
  void unknownWriteMayOrMayNotTakeEffect() {
    var took = new Histories()
        .register("c1", "a", "x", 0, 10, OK, v(1, "x"))
        .register("c2", "a", "y", 11, 12, UNKNOWN, null)
        .read("c3", "a", 50, 60, v(2, "y"));
    assertTrue(checker.check(took.ops()).valid());
    var didNot = new Histories()
        .register("c1", "a", "x", 0, 10, OK, v(1, "x"))
        .register("c2", "a", "y", 11, 12, UNKNOWN, null)
        .read("c3", "a", 50, 60, v(1, "x"))
        .register("c1", "a", "z", 61, 70, OK, v(2, "z"));
    assertTrue(checker.check(didNot.ops()).valid());
    // ...but not before it was invoked
    var tooEarly = new Histories()
        .register("c1", "a", "x", 0, 10, OK, v(1, "x"))
        .read("c3", "a", 11, 12, v(2, "y"))
        .register("c2", "a", "y", 20, 21, UNKNOWN, null);
    assertFalse(checker.check(tooEarly.ops()).valid());
  }

  @Test
  void failedOpsAreIgnored() {
    var h = new Histories()
        .register("c1", "a", "x", 0, 10, OK, v(1, "x"))
        .register("c2", "a", "y", 11, 12, Op.Outcome.FAIL, null)
        .read("c3", "a", 50, 60, v(1, "x"));
    assertTrue(checker.check(h.ops()).valid());
  }

  /** What a kill-all leaves: many writes that timed out, then reads; a small step budget. */
  static Histories crashWithUnknowns() {
    var h = new Histories();
    for (int i = 0; i < 20; i++) h.register("c" + (i % 5), "k", "w" + i, 100 + 10 * i, 101 + 10 * i, UNKNOWN, null);
    for (int i = 0; i < 8; i++) h.add("c" + (i % 5), "k", Op.Type.STOP, "", 105 + 20 * i, 106 + 20 * i, UNKNOWN, null);
    return h;
  }

  @Test
  void unknownWritesThatNeverTookEffectAreCheckedWithinASmallBudget() {
    var quick = new LinearizabilityChecker(100_000);
    Verdict none = quick.check(crashWithUnknowns().read("final", "k", 1000, 1001, JobState.ABSENT).ops());
    assertTrue(none.valid(), none.detail());
    Verdict one = quick.check(crashWithUnknowns().read("final", "k", 1000, 1001, Histories.v(1, "w7")).ops());
    assertTrue(one.valid(), one.detail());
    Verdict made = quick.check(crashWithUnknowns().read("final", "k", 1000, 1001, Histories.v(1, "never-written")).ops());
    assertFalse(made.valid());
    assertTrue(made.detail().contains("no linearization"), made.detail());
  }

  @Test
  void manyConcurrentClientsWithUnknownsFinishQuickly() {
    // A sequential execution chopped into overlapping intervals: valid by construction.
    Random rnd = new Random(7);
    var h = new Histories();
    JobState s = JobState.ABSENT;
    long t = 0;
    List<long[]> unused = new ArrayList<>();
    for (int i = 0; i < 2_000; i++) {
      t += 10;
      int kind = rnd.nextInt(10);
      long from = t - rnd.nextInt(25);
      long to = t + rnd.nextInt(25);
      if (kind < 4) {
        String value = "w" + i;
        s = new JobState(s.absent() || !s.stopped() && s.value().equals(value) ? s.version() + 1 : s.version() + 1, value, false);
        if (rnd.nextInt(10) == 0) h.register("c" + (i % 5), "a", value, from, to, UNKNOWN, null);
        else h.register("c" + (i % 5), "a", value, from, to, OK, s);
      } else if (kind < 5) {
        if (!s.absent()) s = new JobState(s.version(), s.value(), true);
        h.stop("c" + (i % 5), "a", from, to, s);
      } else {
        h.read("c" + (i % 5), "a", from, to, s);
      }
    }
    long start = System.nanoTime();
    Verdict verdict = checker.check(h.ops());
    assertTrue(verdict.valid(), verdict.detail());
    assertTrue(System.nanoTime() - start < 20_000_000_000L);
    assertTrue(unused.isEmpty());
  }
}
