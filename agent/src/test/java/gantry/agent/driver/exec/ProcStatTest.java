package gantry.agent.driver.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProcStatTest {
  @Test
  void parsesACommWithSpacesAndParentheses() {
    String line = "4242 (my (odd) proc) S 1 4242 4242 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 1 0 123456 1000 250 "
        + "18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0";
    ProcStat s = ProcStat.parse(line);
    assertEquals(4242, s.pid());
    assertEquals("my (odd) proc", s.comm());
    assertEquals('S', s.state());
    assertEquals(1, s.ppid());
    assertEquals(4242, s.pgrp());
    assertEquals(4242, s.session());
    assertEquals(10, s.cpuTicks());
    assertEquals(123456, s.startTicks());
    assertEquals(250, s.rssPages());
  }

  @Test
  void readsThisJvmFromProc() {
    ProcStat self = ProcFs.system().stat(ProcessHandle.current().pid()).orElseThrow();
    assertTrue(self.startTicks() > 0);
    assertTrue(ProcFs.system().rssKiB(self.pid()) > 0);
  }

  @Test
  void logTailCountsLinesFromTheEnd(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("log");
    Files.writeString(f, "a\nb\nc\n");
    assertEquals("b\nc\n", LogTail.lastLines(f, 2));
    assertEquals("a\nb\nc\n", LogTail.lastLines(f, 10));
    Files.writeString(f, "a\nb\nc");
    assertEquals("c", LogTail.lastLines(f, 1));
    assertEquals("", LogTail.lastLines(dir.resolve("missing"), 5));
  }
}
