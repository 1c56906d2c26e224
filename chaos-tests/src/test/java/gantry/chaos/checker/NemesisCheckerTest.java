package gantry.chaos.checker;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.chaos.nemesis.FaultWindow;
import java.util.List;
import org.junit.jupiter.api.Test;

class NemesisCheckerTest {
  final NemesisChecker checker = new NemesisChecker();

  static FaultWindow injected(String fault, String problem) {
    return new FaultWindow(fault, "did it", 1_000_000_000L, 9_000_000_000L, false, problem);
  }

  static FaultWindow skipped(String fault, String why) {
    return new FaultWindow(fault, "skipped: " + why, 1_000_000_000L, 1_000_000_000L, true, "");
  }

  @Test
  void injectedFaultsWithoutProblemsAreValid() {
    Verdict v = checker.check(List.of(injected("kill", ""), skipped("partition", "no iptables"), injected("pause", "")));
    assertTrue(v.valid(), v.detail());
    assertTrue(v.detail().contains("2 of 3 faults injected"), v.detail());
  }

  @Test
  void aRunWithoutAnyInjectedFaultIsInvalid() {
    Verdict none = checker.check(List.of());
    assertFalse(none.valid());
    assertTrue(none.detail().contains("no fault was injected"), none.detail());
    Verdict allSkipped = checker.check(List.of(skipped("partition", "no iptables DOCKER-USER chain here")));
    assertFalse(allSkipped.valid());
    assertTrue(allSkipped.detail().contains("no iptables"), allSkipped.detail());
  }

  @Test
  void aWindowWithAProblemIsInvalid() {
    Verdict cutNothing = checker.check(List.of(injected("kill", ""),
        injected("partition", "partition did not take effect: m1->m2 still connects")));
    assertFalse(cutNothing.valid());
    assertTrue(cutNothing.detail().contains("m1->m2 still connects"), cutNothing.detail());
    Verdict healFailed = checker.check(List.of(injected("partition-halves", "heal failed: rule x was not removed")));
    assertFalse(healFailed.valid());
  }
}
