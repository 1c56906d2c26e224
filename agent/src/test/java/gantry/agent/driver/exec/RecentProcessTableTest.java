package gantry.agent.driver.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Stats samples share a recent walk of a /proc tree written here; a sample that needs a newer one walks again. */
class RecentProcessTableTest {
  @TempDir Path proc;

  private void process(long pid, long startTicks) throws Exception {
    Files.createDirectories(proc.resolve(Long.toString(pid)));
    Files.writeString(proc.resolve(pid + "/stat"), pid + " (sleep) S 1 " + pid + " " + pid
        + " 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 1 0 " + startTicks + " 1000 250 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0");
  }

  private static List<Long> pids(ProcessTable table, long leader, long startTicks) {
    return table.sessionMembers(leader, startTicks).stream().map(s -> (long) s.pid()).toList();
  }

  @Test
  void aRecentWalkIsSharedAndANewerOneIsWalkedWhenAsked() throws Exception {
    process(23, 100);
    RecentProcessTable tables = new RecentProcessTable(new ProcFs(proc));
    long second = TimeUnit.SECONDS.toNanos(1);
    ProcessTable first = tables.takenSince(System.nanoTime() - second);
    assertEquals(List.of(23L), pids(first, 23, 100));

    process(40, 200);
    ProcessTable shared = tables.takenSince(System.nanoTime() - second);
    assertSame(first, shared, "a sample within the age takes the walk already made");
    assertEquals(List.of(), pids(shared, 40, 200), "so it does not see a process started since");

    ProcessTable fresh = tables.takenSince(System.nanoTime());
    assertEquals(List.of(40L), pids(fresh, 40, 200), "a sample that asks for a walk from now gets one");
    assertSame(fresh, tables.takenSince(fresh.takenNanos()), "and the next sample shares that one");
  }
}
