package gantry.chaos.fleet;

import gantry.chaos.checker.AllocationChecker.TaskProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which allocations' task processes run in which agent container, read from the host's
 * /proc: a process belongs to a container when its cgroup path names the container's id,
 * and to an allocation when its environment carries {@code GANTRY_ALLOC_ID} (the exec driver
 * sets it). This is what really runs, independent of what the managers or agents believe.
 * Each process is named by its pid and its start time (field 22 of /proc/PID/stat), so a
 * task started again is told apart from one that kept running, even if a pid is reused.
 * Reading other processes' environments needs root, as the partition nemeses do.
 */
public final class HostProcesses {
  private static final Pattern CONTAINER_ID = Pattern.compile("[0-9a-f]{64}");
  private final Path proc;

  public HostProcesses(Path proc) {
    this.proc = proc;
  }

  public HostProcesses() {
    this(Path.of("/proc"));
  }

  /** The task processes of {@code job} inside the given containers (container id to agent name). */
  public List<TaskProcess> scan(Map<String, String> containers, String job) {
    List<TaskProcess> out = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(proc)) {
      for (Path dir : dirs) {
        String pid = dir.getFileName().toString();
        if (!pid.chars().allMatch(Character::isDigit)) continue;
        String agent = agentOf(dir, containers);
        if (agent == null) continue;
        Map<String, String> env = environment(dir);
        String alloc = env.get("GANTRY_ALLOC_ID");
        if (alloc == null || !job.equals(env.get("GANTRY_JOB"))) continue;
        long started = startTicks(read(dir.resolve("stat")));
        if (started < 0) continue; // ended meanwhile
        out.add(new TaskProcess(alloc, agent, Long.parseLong(pid), started));
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list " + proc + ": " + e, e);
    }
    return out;
  }

  private static String agentOf(Path dir, Map<String, String> containers) {
    String cgroup = read(dir.resolve("cgroup"));
    if (cgroup == null) return null;
    Matcher m = CONTAINER_ID.matcher(cgroup);
    while (m.find()) {
      String agent = containers.get(m.group());
      if (agent != null) return agent;
    }
    return null;
  }

  /** Field 22 of /proc/PID/stat, after the command name (which may hold spaces and parentheses); -1 if unreadable. */
  static long startTicks(String stat) {
    if (stat == null) return -1;
    String[] rest = stat.substring(stat.lastIndexOf(')') + 1).trim().split(" ");
    return rest.length > 19 ? Long.parseLong(rest[19]) : -1;
  }

  private static Map<String, String> environment(Path dir) {
    String env = read(dir.resolve("environ"));
    Map<String, String> out = new HashMap<>();
    if (env == null) return out;
    for (String kv : env.split("\0")) {
      int eq = kv.indexOf('=');
      if (eq > 0) out.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    return out;
  }

  /** The file's text, or null when the process ended meanwhile or it cannot be read. */
  private static String read(Path file) {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return null;
    }
  }

  /** True when this process may read other processes' environments (as root may). */
  public static boolean usable() {
    return Files.isReadable(Path.of("/proc/1/environ"));
  }
}
