package gantry.spec;

import static gantry.spec.JobSpecValidatorTest.valid;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gantry.v1.JobSpec;
import gantry.v1.TaskSpec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WorkingDirTest {
  static JobSpec with(String driver, String dir) {
    var task = TaskSpec.newBuilder(valid().getGroups(0).getTasks(0)).setDriver(driver).setWorkingDir(dir).clearCheck();
    if (driver.equals("exec")) task.clearImage().addCommand("true");
    return valid().toBuilder().setGroups(0, valid().getGroups(0).toBuilder().setTasks(0, task)).build();
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', textBlock = """
      exec   | work
      exec   | ./work/bin
      exec   | a/../b
      exec   | .
      docker | /srv/www
      """)
  void accepted(String driver, String dir) {
    assertDoesNotThrow(() -> JobSpecValidator.validate(with(driver, dir)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', textBlock = """
      exec   | /etc        | must be relative to the task directory for the exec driver, got "/etc"
      exec   | ..          | must stay inside the task directory, got ".."
      exec   | ../other    | must stay inside the task directory, got "../other"
      exec   | a/../../b   | must stay inside the task directory, got "a/../../b"
      docker | www         | must be an absolute path inside the container for the docker driver, got "www"
      """)
  void refused(String driver, String dir, String reason) {
    var e = assertThrows(InvalidSpecException.class, () -> JobSpecValidator.validate(with(driver, dir)));
    assertEquals("groups[0].tasks[0].working_dir: " + reason, e.getMessage());
  }
}
