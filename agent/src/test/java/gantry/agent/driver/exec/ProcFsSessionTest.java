package gantry.agent.driver.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which processes belong to a task's session, on a /proc tree written here: a task recorded with
 * leader pid 23 started at tick 100, in a container that restarted since (pid numbers began
 * again, and pid 23 is now another task's leader, started at tick 900).
 */
class ProcFsSessionTest {
  @TempDir Path proc;

  private void process(long pid, long session, long startTicks) throws Exception {
    Files.createDirectories(proc.resolve(Long.toString(pid)));
    Files.writeString(proc.resolve(pid + "/stat"), pid + " (sleep) S 1 " + session + " " + session
        + " 0 -1 4194560 100 0 0 0 7 3 0 0 20 0 1 0 " + startTicks + " 1000 250 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0");
  }

  @Test
  void aReusedLeaderPidLeadsASessionThatIsNotTheRecordedTasks() throws Exception {
    process(23, 23, 900);
    process(24, 23, 901);
    ProcFs fs = new ProcFs(proc);
    assertEquals(List.of(), fs.sessionMembers(23, 100), "the new task with the old task's pid is left alone");
    assertEquals(2, fs.sessionMembers(23, 900).size(), "its own record finds it and its child");
  }

  @Test
  void theMembersOfASessionWhoseLeaderExitedAreStillFound() throws Exception {
    process(24, 23, 150);
    process(30, 30, 50);
    ProcFs fs = new ProcFs(proc);
    assertEquals(List.of(24L), fs.sessionMembers(23, 100).stream().map(s -> (long) s.pid()).toList());
  }
}
