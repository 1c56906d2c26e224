package gantry.chaos.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import gantry.chaos.checker.AllocationChecker.TaskProcess;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostProcessesTest {
  static final String C1 = "a".repeat(64);
  static final String C2 = "b".repeat(64);
  static final String OTHER = "c".repeat(64);

  static void process(Path proc, int pid, String cgroup, String... env) throws IOException {
    Path dir = Files.createDirectories(proc.resolve(String.valueOf(pid)));
    Files.writeString(dir.resolve("cgroup"), cgroup);
    Files.writeString(dir.resolve("environ"), String.join("\0", env) + "\0");
    Files.writeString(dir.resolve("stat"), pid + " (sleep) S 1 " + pid + " " + pid + " 0 -1 4194560 104 0 0 0 0 0 0 0 20 0 1 0 "
        + (1000 + pid) + " 2588672 128 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n");
  }

  @Test
  void findsTheJobsTaskProcessesPerAgentContainer(@TempDir Path proc) throws IOException {
    process(proc, 10, "12:pids:/docker/" + C1 + "\n0::/docker/" + C1 + "\n", "PATH=/bin", "GANTRY_ALLOC_ID=x", "GANTRY_JOB=fleet");
    process(proc, 11, "0::/system.slice/docker-" + C2 + ".scope\n", "GANTRY_ALLOC_ID=y", "GANTRY_JOB=fleet");
    process(proc, 12, "0::/docker/" + C2 + "\n", "GANTRY_ALLOC_ID=x", "GANTRY_JOB=fleet");
    process(proc, 13, "0::/docker/" + C1 + "\n", "GANTRY_ALLOC_ID=q", "GANTRY_JOB=another-job");
    process(proc, 14, "0::/docker/" + OTHER + "\n", "GANTRY_ALLOC_ID=w", "GANTRY_JOB=fleet");
    process(proc, 15, "0::/docker/" + C1 + "\n", "HOME=/root");
    Files.createDirectories(proc.resolve("self"));
    List<TaskProcess> seen = new HostProcesses(proc).scan(Map.of(C1, "a1", C2, "a2"), "fleet");
    assertEquals(Set.of(new TaskProcess("x", "a1", 10, 1010), new TaskProcess("y", "a2", 11, 1011),
        new TaskProcess("x", "a2", 12, 1012)), Set.copyOf(seen));
  }

  @Test
  void readsTheStartTimeAfterACommandNameWithSpacesAndParentheses() {
    assertEquals(4242, HostProcesses.startTicks("77 (a (b) c) S 1 77 77 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 4242 100 5"));
    assertEquals(-1, HostProcesses.startTicks(null));
  }
}
