package gantry.agent.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import gantry.v1.Allocation;
import gantry.v1.Assignment;
import gantry.v1.TaskSpec;
import org.junit.jupiter.api.Test;

class TaskDescriptionsTest {
  private static final Assignment ASSIGNMENT = Assignment.newBuilder()
      .setAllocation(Allocation.newBuilder().setId("a1").setJob("web").setGroup("g")).build();

  @Test
  void theSpecsWorkingDirReachesTheDriver() {
    var task = TaskSpec.newBuilder().setName("t").setDriver("exec").addCommand("true").setWorkingDir("work/bin").build();
    assertEquals("work/bin", TaskDescriptions.of(ASSIGNMENT, task, "exec").workingDir());
  }

  @Test
  void noWorkingDirMeansTheDriversDefault() {
    var task = TaskSpec.newBuilder().setName("t").setDriver("exec").addCommand("true").build();
    assertNull(TaskDescriptions.of(ASSIGNMENT, task, "exec").workingDir());
  }
}
