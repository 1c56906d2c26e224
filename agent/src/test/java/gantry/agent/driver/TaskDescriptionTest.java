package gantry.agent.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TaskDescriptionTest {
  @Test
  void builderDefaultsJobAndGroupToTheTaskName() {
    TaskDescription t = TaskDescription.builder("a1", "web").command("sh").build();
    assertEquals("web", t.job());
    assertEquals("web", t.group());
    assertTrue(t.ports().isEmpty());
  }

  @Test
  void rejectsUnsafeNamesAndBadValues() {
    var e = assertThrows(IllegalArgumentException.class, () -> TaskDescription.builder("../x", "web").build());
    assertTrue(e.getMessage().startsWith("allocationId must match"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TaskDescription.builder("a1", "web").cpu(-1).build());
    assertThrows(IllegalArgumentException.class, () -> TaskDescription.builder("a1", "web").env("A=B", "c").build());
    assertThrows(IllegalArgumentException.class, () -> PortMapping.tcp(0, 80));
  }
}
