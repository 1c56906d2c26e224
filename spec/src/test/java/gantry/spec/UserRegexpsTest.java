package gantry.spec;

import static gantry.spec.JobSpecValidatorTest.assertNames;
import static gantry.spec.JobSpecValidatorTest.error;
import static gantry.spec.JobSpecValidatorTest.valid;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.re2j.Pattern;
import gantry.v1.Affinity;
import gantry.v1.Constraint;
import java.time.Duration;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class UserRegexpsTest {
  static Stream<Arguments> patterns() {
    return Stream.of(
        // pattern, the start of the reason or null when accepted
        Arguments.of("^web-\\d+$", null),
        Arguments.of("(a+)+$", null), // catastrophic for a backtracking matcher, linear for RE2/J
        Arguments.of("(a?){450}", null), // 1,800 instructions: near the limit
        Arguments.of("(a?){1000}", "is too large once its counted repetitions are written out (size about 4000;"),
        Arguments.of("(?i)^(ssd|nvme)$", null),
        Arguments.of("(", "is not a valid regular expression: missing closing ) in `(` (RE2 syntax)"),
        Arguments.of("a{1001}", "is not a valid regular expression: invalid repeat count in `{1001}`"),
        Arguments.of("(a)\\1", "is not a valid regular expression: invalid escape sequence in `\\1`"),
        Arguments.of("a(?=b)", "is not a valid regular expression: invalid or unsupported Perl syntax"),
        Arguments.of("((x*){100}){50}", "is too large once its counted repetitions are written out (size about 20100;"
            + " the limit is 2000)"),
        Arguments.of("((a{1000}){1000}){1000}", "is too large once its counted repetitions are written out"),
        Arguments.of("a".repeat(1_025), "is 1025 characters long; a regular expression may have at most 1024"));
  }

  @ParameterizedTest
  @MethodSource
  void patterns(String pattern, String reason) {
    // The bomb must be refused before RE2/J compiles it: compiling would exhaust the heap.
    Optional<String> problem = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> UserRegexps.problem(pattern));
    if (reason == null) {
      assertEquals(Optional.empty(), problem);
    } else {
      assertTrue(problem.isPresent() && problem.get().startsWith(reason), () -> "got: " + problem);
    }
  }

  /** RE2/J's matcher recurses along empty-width paths: what the size limit lets through must not overflow the stack. */
  @ParameterizedTest
  @ValueSource(strings = {"(a?){450}", "((x*){100}){4}", "((((a*)*)*)*){150}"})
  void theLargestAcceptedPatternsRunOnAnOrdinaryStack(String pattern) throws Exception {
    assertEquals(Optional.empty(), UserRegexps.problem(pattern));
    var result = new java.util.concurrent.atomic.AtomicReference<Object>();
    // A platform thread with the JVM's default stack (1 MiB on Linux x64), as the scheduler's workers
    // have; before the JIT compiles RE2/J's matcher its frames are largest, so this runs it cold.
    Thread t = new Thread(null, () -> {
      try {
        result.set(Pattern.compile(pattern).matcher("a".repeat(50) + "b").find());
      } catch (Throwable e) {
        result.set(e);
      }
    }, "matcher", 1024 * 1024);
    t.start();
    t.join();
    assertEquals(Boolean.TRUE, result.get());
  }

  @Test
  void deepNestingWithinTheLengthLimitCompiles() {
    String deep = "(".repeat(500) + "a" + ")".repeat(500);
    assertEquals(Optional.empty(), UserRegexps.problem(deep));
  }

  @Test
  void theValidatorNamesTheConstraintOrAffinityValue() {
    assertNames(error(b -> b.addConstraints(Constraint.newBuilder().setAttribute("node.name").setOperator("regexp").setValue("("))),
        "constraints[0].value", "not a valid regular expression");
    assertNames(error(b -> {
      b.getGroupsBuilder(0).addAffinities(Affinity.newBuilder().setAttribute("label.zone").setOperator("regexp")
          .setValue("x".repeat(2_000)).setWeight(50));
      return b;
    }), "groups[0].affinities[0].value", "at most 1024");
    assertNames(error(b -> {
      b.getGroupsBuilder(0).addConstraints(Constraint.newBuilder().setAttribute("label.rack").setOperator("regexp")
          .setValue("((a{1000}){1000}){1000}"));
      return b;
    }), "groups[0].constraints[0].value", "too large");
    assertDoesNotThrow(() -> JobSpecValidator.validate(valid().toBuilder()
        .addConstraints(Constraint.newBuilder().setAttribute("label.x").setOperator("regexp").setValue("(a+)+$")).build()));
  }
}
