package gantry.chaos.checker;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.chaos.checker.DigestChecker.Answer;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DigestCheckerTest {
  final DigestChecker checker = new DigestChecker();

  @Test
  void equalDigestsAreValid() {
    assertTrue(checker.check(Map.of("m1", Answer.of("abc", 7), "m2", Answer.of("abc", 7), "m3", Answer.of("abc", 7))).valid());
  }

  @Test
  void differentOrMissingDigestsAreNot() {
    assertFalse(checker.check(Map.of("m1", Answer.of("abc", 7), "m2", Answer.of("abd", 7))).valid());
    assertFalse(checker.check(Map.of("m1", Answer.of("abc", 7), "m2", Answer.failed("UNAVAILABLE"))).valid());
    assertFalse(checker.check(Map.of()).valid());
  }
}
