package gantry.spec.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import gantry.spec.JobSpecParser;
import gantry.spec.SpecException;
import gantry.v1.JobSpec;
import java.nio.charset.StandardCharsets;

/**
 * Any text at all, given to {@link JobSpecParser#parse}: the parser either returns a spec or
 * refuses with a {@link SpecException} naming a field. Any other exception, a StackOverflowError
 * or an OutOfMemoryError escapes the test and is a finding (Jazzer keeps the input as a crash).
 * The seeds are the files of examples/ and a few near misses of them.
 */
class ParserFuzzTest {
  @FuzzTest(maxDuration = "5m")
  void parse(byte[] input) {
    String text = new String(input, StandardCharsets.UTF_8);
    JobSpec spec;
    try {
      spec = JobSpecParser.parse(text);
    } catch (SpecException refused) {
      assertFalse(refused.path().isBlank(), "a refusal names the field: " + refused.getMessage());
      assertTrue(refused.getMessage().startsWith(refused.path() + ": "), refused.getMessage());
      assertFalse(refused.reason().isBlank(), "a refusal says why: " + refused.getMessage());
      return;
    }
    assertNotNull(spec);
  }
}
