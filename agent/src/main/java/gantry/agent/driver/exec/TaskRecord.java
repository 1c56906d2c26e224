package gantry.agent.driver.exec;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Properties;

/**
 * What the exec driver persists per task ({@code task.properties} in the task directory) so a
 * restarted agent can find the process again: pid plus start time in ticks, because a pid alone
 * may have been reused by an unrelated process.
 */
record TaskRecord(String allocationId, String taskName, String job, long pid, long startTicks,
                  Instant startedAt, boolean stopRequested) {

  static final String FILE = "task.properties";

  TaskRecord withStopRequested() {
    return new TaskRecord(allocationId, taskName, job, pid, startTicks, startedAt, true);
  }

  /** Writes the record atomically: a crash leaves the old file or the new one, never half. */
  void write(Path taskDir) throws IOException {
    Properties p = new Properties();
    p.setProperty("allocationId", allocationId);
    p.setProperty("taskName", taskName);
    p.setProperty("job", job);
    p.setProperty("pid", Long.toString(pid));
    p.setProperty("startTicks", Long.toString(startTicks));
    p.setProperty("startedAt", startedAt.toString());
    p.setProperty("stopRequested", Boolean.toString(stopRequested));
    Path tmp = taskDir.resolve(FILE + ".tmp");
    try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      p.store(w, "gantry exec task");
    }
    Files.move(tmp, taskDir.resolve(FILE), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  static TaskRecord read(Path taskDir) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(taskDir.resolve(FILE), StandardCharsets.UTF_8)) {
      p.load(r);
    }
    try {
      return new TaskRecord(
          required(p, "allocationId"), required(p, "taskName"), required(p, "job"),
          Long.parseLong(required(p, "pid")), Long.parseLong(required(p, "startTicks")),
          Instant.parse(required(p, "startedAt")), Boolean.parseBoolean(p.getProperty("stopRequested")));
    } catch (RuntimeException e) {
      throw new IOException("corrupt " + taskDir.resolve(FILE) + ": " + e.getMessage(), e);
    }
  }

  private static String required(Properties p, String key) {
    String v = p.getProperty(key);
    if (v == null) {
      throw new IllegalArgumentException("missing " + key);
    }
    return v;
  }
}
