package gantry.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeFactsTest {
  @Test
  void parsesMemTotal() {
    assertEquals(15_890, NodeFacts.memTotalMiB(List.of("MemTotal:       16271360 kB", "MemFree: 1 kB")));
    assertEquals(0, NodeFacts.memTotalMiB(List.of("MemFree: 1 kB")));
  }

  @Test
  void detectsAndOverrides() {
    NodeFacts f = NodeFacts.detect(0, 0);
    assertEquals(Runtime.getRuntime().availableProcessors() * 1000, f.cpuMillicores());
    assertTrue(f.memoryMiB() > 0);
    assertEquals("linux", f.os());
    NodeFacts o = NodeFacts.detect(1500, 512);
    assertEquals("1500", o.attributes().get("cpu.millicores"));
    assertEquals("512", o.attributes().get("memory.mb"));
    assertTrue(o.attributes().keySet().containsAll(List.of("os", "arch", "hostname")));
  }

  @Test
  void nodeIdIsKeptInTheDataDir(@TempDir Path dir) {
    String id = NodeIdentity.loadOrCreate(dir);
    assertEquals(id, NodeIdentity.loadOrCreate(dir));
    assertNotEquals(id, NodeIdentity.loadOrCreate(dir.resolve("other")));
    assertEquals(NodeIdentity.forSimulated("n-1"), NodeIdentity.forSimulated("n-1"));
  }
}
