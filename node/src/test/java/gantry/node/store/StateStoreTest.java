package gantry.node.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

class StateStoreTest {
  @TempDir Path dir;

  static void put(StateStore s, String k, String v, long index) throws Exception {
    try (WriteBatch wb = new WriteBatch()) {
      wb.put(Keys.bytes(k), v.getBytes(StandardCharsets.UTF_8));
      wb.put(Keys.bytes(Keys.APPLIED), new AppliedPosition(1, index).encode());
      s.write(wb);
    }
  }

  @Test
  void appliedPositionSurvivesReopen() throws Exception {
    try (StateStore s = StateStore.open(dir.resolve("db"))) {
      put(s, "j/a", "1", 5);
    }
    try (StateStore s = StateStore.open(dir.resolve("db"))) {
      assertEquals(new AppliedPosition(1, 5), s.applied());
      assertArrayEquals("1".getBytes(StandardCharsets.UTF_8), s.get("j/a"));
    }
  }

  @Test
  void digestIgnoresTheAppliedPositionButNotTheData() throws Exception {
    try (StateStore a = StateStore.open(dir.resolve("a")); StateStore b = StateStore.open(dir.resolve("b"))) {
      put(a, "j/x", "1", 5);
      put(b, "j/x", "1", 9);
      assertEquals(a.digest().sha256(), b.digest().sha256());
      put(b, "j/y", "2", 10);
      assertNotEquals(a.digest().sha256(), b.digest().sha256());
      assertEquals(10, b.digest().applied().index());
    }
  }

  @Test
  void checkpointIsAnIndependentCopy() throws Exception {
    try (StateStore s = StateStore.open(dir.resolve("db"))) {
      put(s, "j/a", "1", 1);
      s.checkpoint(dir.resolve("cp"));
      put(s, "j/b", "2", 2);
      try (StateStore cp = StateStore.open(dir.resolve("cp"))) {
        assertEquals(1, cp.applied().index());
        assertEquals(null, cp.get("j/b"));
      }
    }
  }
}
