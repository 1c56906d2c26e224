package gantry.spec.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import gantry.spec.InvalidSpecException;
import gantry.spec.JobSpecValidator;
import gantry.v1.JobSpec;
import java.util.regex.Pattern;

/**
 * Any JobSpec a gRPC client could send, given to {@link JobSpecValidator#validate}: accepted, or
 * refused with an {@link InvalidSpecException} whose every violation is {@code path: reason}.
 * Any other exception is a finding. The specs are built field by field ({@link FuzzedProto}).
 */
class ValidatorFuzzTest {
  /** {@code spec}, or a field path such as {@code groups[0].tasks[1].resources.memory} or {@code meta["k"]}. */
  private static final Pattern VIOLATION = Pattern.compile("(?s)[a-z_]+(\\[[^\\]]*\\])?(\\.[a-z_]+(\\[[^\\]]*\\])?)*: .+");

  @FuzzTest(maxDuration = "5m")
  void validate(FuzzedDataProvider data) {
    JobSpec spec = new FuzzedProto(data).of(JobSpec.getDefaultInstance());
    try {
      JobSpecValidator.validate(spec);
    } catch (InvalidSpecException refused) {
      assertFalse(refused.violations().isEmpty(), "a refusal lists its violations");
      for (String v : refused.violations()) {
        assertTrue(VIOLATION.matcher(v).matches(), "a violation names its field first: " + v);
      }
    }
  }
}
