package gantry.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Documents that would cost the reader far more than their size are refused, quickly, with the reason. */
class YamlLimitsTest {
  /** "Billion laughs": 26 levels, each a list of nine aliases to the level below, 9^26 strings if expanded. */
  static String billionLaughs() {
    var text = new StringBuilder("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (char c = 'b'; c <= 'z'; c++) {
      String p = "*" + (char) (c - 1);
      text.append(c).append(": &").append(c).append(" [").append(String.join(", ", java.util.Collections.nCopies(9, p)))
          .append("]\n");
    }
    return text.toString();
  }

  static Stream<Arguments> refused() {
    return Stream.of(
        Arguments.of("billion laughs", billionLaughs(),
            "spec: invalid YAML: more than 20 aliases (*name) to lists or mappings; the limit stops alias bombs"),
        Arguments.of("deep nesting", "job: " + "[".repeat(60) + "]".repeat(60) + "\n",
            "spec: invalid YAML: lists and mappings nest more than 40 deep"),
        Arguments.of("recursive key", "? &k [a, *k]\n: v\n",
            "spec: invalid YAML: a mapping key refers to itself through an alias"),
        Arguments.of("over 1 MiB", "job: \"" + "x".repeat(Limits.MAX_FILE_BYTES) + "\"\n",
            "spec: text is over the limit of 1 MiB"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void refused(String name, String text, String message) {
    var e = assertTimeoutPreemptively(Duration.ofSeconds(5),
        () -> assertThrows(SpecException.class, () -> JobSpecParser.parse(text)));
    assertTrue(e.getMessage().startsWith(message), e.getMessage());
    assertEquals("spec", e.path());
  }

  @Test
  void aFewAliasesAreFine() {
    var spec = JobSpecParser.parse("""
        job: w
        groups:
          - name: a
            restart: &r {attempts: 2, delay: 1s, mode: delay}
            tasks: [{name: t, resources: &res {cpu: 100, memory: 32}}]
          - name: b
            restart: *r
            tasks: [{name: t, resources: *res}]
        """);
    assertEquals(2, spec.getGroups(1).getRestart().getAttempts());
    assertEquals(32, spec.getGroups(1).getTasks(0).getResources().getMemory());
  }

  @Test
  void aSelfReferentialValueIsATypeErrorNotALoop() {
    var e = assertThrows(SpecException.class, () -> JobSpecParser.parse("job: w\ngroups: &g [*g]\n"));
    assertEquals("groups[0]: expected a mapping, got a list", e.getMessage());
  }
}
