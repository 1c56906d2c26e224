package gantry.agent.driver.exec;

import gantry.agent.driver.CommandResult;
import gantry.agent.driver.DriverException;
import gantry.agent.driver.DriverException.Kind;
import gantry.agent.driver.ResourceUsage;
import gantry.agent.driver.TaskDescription;
import gantry.agent.driver.TaskDriver;
import gantry.agent.driver.TaskHandle;
import gantry.agent.driver.TaskStatus;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Runs each task as a plain child process in its own session ({@code setsid}), so stopping it
 * reaches every descendant, with its own task directory under the data directory:
 *
 * <pre>
 *   DATA_DIR/ALLOC_ID/TASK/task.properties   pid + start ticks, for recover after a restart
 *   DATA_DIR/ALLOC_ID/TASK/stdout.log        the task's stdout (appended)
 *   DATA_DIR/ALLOC_ID/TASK/stderr.log        the task's stderr (appended)
 *   DATA_DIR/ALLOC_ID/TASK/env.properties    the task's environment, for exec checks
 *   DATA_DIR/ALLOC_ID/TASK/local/            the working directory (or workingDir under it)
 * </pre>
 *
 * CPU and memory are measured, not enforced: limits need cgroups, which is the docker driver's job.
 * The image, ports and labels of a task description are ignored.
 */
public final class ExecDriver implements TaskDriver {
  private static final String SETSID = "setsid";
  private static final String ENV_FILE = "env.properties";
  private static final Duration STATS_WINDOW = Duration.ofMillis(250);
  /** How old a walk of /proc a stats sample takes from another task's sample (RecentProcessTable). */
  private static final Duration SHARED_WALK_AGE = Duration.ofSeconds(1);

  private final Path dataDir;
  private final ProcFs proc;
  private final RecentProcessTable tables;
  private final Clock clock;
  private final Map<String, Tracked> tasks = new ConcurrentHashMap<>();

  /** One task this driver instance knows; {@code process} is null for a recovered task. */
  private static final class Tracked {
    final Path dir;
    final Process process;
    volatile TaskRecord record;
    volatile long lastCpuTicks = -1;
    volatile long lastSampleNanos;
    private volatile Instant finishedAt;

    Tracked(Path dir, Process process, TaskRecord record) {
      this.dir = dir;
      this.process = process;
      this.record = record;
    }

    /** When this driver first saw the task ended; stable across later status calls. */
    Instant finishedAt(Clock clock) {
      if (finishedAt == null) {
        finishedAt = clock.instant();
      }
      return finishedAt;
    }

    ProcessSession session() {
      return new ProcessSession(record.pid(), record.startTicks());
    }
  }

  public ExecDriver(Path dataDir) {
    this(dataDir, ProcFs.system(), Clock.systemUTC());
  }

  ExecDriver(Path dataDir, ProcFs proc, Clock clock) {
    this.dataDir = dataDir.toAbsolutePath().normalize();
    this.proc = proc;
    this.tables = new RecentProcessTable(proc);
    this.clock = clock;
    try {
      Files.createDirectories(this.dataDir);
    } catch (IOException e) {
      throw new DriverException(Kind.UNAVAILABLE, "cannot create exec data directory " + this.dataDir + ": " + e, e);
    }
  }

  @Override
  public String name() {
    return "exec";
  }

  private static String key(String allocationId, String taskName) {
    return allocationId + "/" + taskName;
  }

  private Path taskDir(String allocationId, String taskName) {
    return dataDir.resolve(allocationId).resolve(taskName);
  }

  @Override
  public TaskHandle start(TaskDescription task) {
    if (task.command().isEmpty()) {
      throw new DriverException(Kind.FAILED, "task " + task.taskName() + ": the exec driver needs a command");
    }
    String key = key(task.allocationId(), task.taskName());
    Path dir = taskDir(task.allocationId(), task.taskName());
    if (!recover(task.allocationId()).stream().filter(h -> h.taskName().equals(task.taskName())).toList().isEmpty()) {
      throw new DriverException(Kind.ALREADY_RUNNING, "task " + key + " is already running (pid in "
          + dir.resolve(TaskRecord.FILE) + "); stop or destroy it first");
    }
    Path workDir = workingDir(task, dir);
    Map<String, String> env = environment(task, dir);
    saveEnvironment(dir, env);
    String executable = resolveExecutable(task.command().getFirst(), env.get("PATH"), workDir);

    List<String> argv = new ArrayList<>();
    argv.add(SETSID);
    argv.add(executable);
    argv.addAll(task.command().subList(1, task.command().size()));
    ProcessBuilder builder = new ProcessBuilder(argv)
        .directory(workDir.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile()))
        .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("stderr.log").toFile()));
    builder.environment().clear();
    builder.environment().putAll(env);

    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new DriverException(Kind.FAILED, "cannot start task " + key + " (" + String.join(" ", task.command())
          + "): " + e.getMessage(), e);
    }
    awaitSessionLeader(process);
    Instant now = clock.instant();
    // The JVM's child is not a process-group leader, so setsid(1) calls setsid() and execs in
    // place: the pid we got leads the task's new session. Start ticks never change across exec.
    long startTicks = proc.stat(process.pid()).map(ProcStat::startTicks).orElse(-1L);
    TaskRecord record = new TaskRecord(task.allocationId(), task.taskName(), task.job(),
        process.pid(), startTicks, now, false);
    try {
      record.write(dir);
    } catch (IOException e) {
      killSession(new ProcessSession(record.pid(), startTicks));
      process.destroyForcibly();
      throw new DriverException(Kind.FAILED, "cannot persist task " + key + " in " + dir + ": " + e.getMessage(), e);
    }
    tasks.put(key, new Tracked(dir, process, record));
    return new TaskHandle(name(), key, task.allocationId(), task.taskName(), now);
  }

  /**
   * setsid(1) calls setsid() just before it execs the task: until then the child is still in the
   * JVM's session, so a stop or a stats sample right after start would find no member. Waits
   * (briefly, bounded) until the child leads its own session or has ended.
   */
  private void awaitSessionLeader(Process process) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
    while (process.isAlive() && System.nanoTime() - deadline < 0) {
      var stat = proc.stat(process.pid());
      if (stat.isEmpty() || stat.get().session() == process.pid()) {
        return;
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  private Path workingDir(TaskDescription task, Path dir) {
    Path local = dir.resolve("local");
    Path work = local;
    if (task.workingDir() != null && !task.workingDir().isBlank()) {
      Path wanted = Path.of(task.workingDir());
      work = wanted.isAbsolute() ? wanted : local.resolve(wanted).normalize();
      if (!wanted.isAbsolute() && !work.startsWith(local)) {
        throw new DriverException(Kind.FAILED, "task " + task.taskName() + ": workingDir '" + task.workingDir()
            + "' leaves the task directory");
      }
    }
    try {
      Files.createDirectories(dir);
      Files.createDirectories(work);
    } catch (IOException e) {
      throw new DriverException(Kind.FAILED, "cannot create task directory " + work + ": " + e.getMessage(), e);
    }
    return work;
  }

  private Map<String, String> environment(TaskDescription task, Path dir) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
    env.put("HOME", dir.resolve("local").toString());
    env.put("GANTRY_ALLOC_ID", task.allocationId());
    env.put("GANTRY_JOB", task.job());
    env.put("GANTRY_GROUP", task.group());
    env.put("GANTRY_TASK", task.taskName());
    env.put("GANTRY_TASK_DIR", dir.toString());
    env.putAll(task.env());
    return env;
  }

  private static void saveEnvironment(Path dir, Map<String, String> env) {
    java.util.Properties p = new java.util.Properties();
    p.putAll(env);
    try (var out = Files.newOutputStream(dir.resolve(ENV_FILE))) {
      p.store(out, "environment of the task, for commands run in it (exec checks)");
    } catch (IOException e) {
      throw new DriverException(Kind.FAILED, "cannot write " + dir.resolve(ENV_FILE) + ": " + e.getMessage(), e);
    }
  }

  private static Map<String, String> loadEnvironment(Path dir) {
    Map<String, String> env = new LinkedHashMap<>();
    java.util.Properties p = new java.util.Properties();
    try (var in = Files.newInputStream(dir.resolve(ENV_FILE))) {
      p.load(in);
    } catch (IOException e) {
      return env; // a task started by an older agent: PATH and HOME only
    }
    p.stringPropertyNames().forEach(k -> env.put(k, p.getProperty(k)));
    return env;
  }

  private static String resolveExecutable(String command, String path, Path workDir) {
    if (command.contains("/")) {
      Path p = workDir.resolve(command);
      if (Files.isRegularFile(p) && Files.isExecutable(p)) {
        return p.toString();
      }
    } else if (path != null) {
      for (String dir : path.split(":")) {
        Path p = Path.of(dir.isEmpty() ? "." : dir).resolve(command);
        if (Files.isRegularFile(p) && Files.isExecutable(p)) {
          return p.toString();
        }
      }
    }
    throw new DriverException(Kind.COMMAND_NOT_FOUND, "command not found: " + command
        + (command.contains("/") ? "" : " (searched PATH=" + path + ")"));
  }

  @Override
  public TaskStatus status(TaskHandle handle) {
    return statusOf(tracked(handle));
  }

  private TaskStatus statusOf(Tracked t) {
    TaskRecord r = t.record;
    if (t.process != null) {
      if (t.process.isAlive()) {
        return new TaskStatus.Running(r.startedAt());
      }
      Instant end = t.finishedAt(clock);
      if (r.stopRequested()) {
        return new TaskStatus.Killed("stopped by the agent", end);
      }
      return new TaskStatus.Exited(t.process.exitValue(), end);
    }
    if (proc.isAlive(r.pid(), r.startTicks())) {
      return new TaskStatus.Running(r.startedAt());
    }
    if (r.stopRequested()) {
      return new TaskStatus.Killed("stopped by the agent", t.finishedAt(clock));
    }
    return new TaskStatus.Lost("process " + r.pid() + " ended while no agent watched it; exit code unknown");
  }

  /**
   * A task this driver started is its child: the JDK reaps it and completes its
   * {@link Process#onExit()} then (at once, on another thread, when it has ended already), which
   * tells {@code onEnd}. A task recovered after an agent restart is no longer the agent's child
   * and is polled (false).
   */
  @Override
  public boolean watch(TaskHandle handle, Runnable onEnd) {
    Tracked t = tasks.get(handle.id());
    if (t == null || t.process == null) {
      return false;
    }
    t.process.onExit().whenComplete((p, e) -> onEnd.run());
    return true;
  }

  @Override
  public TaskStatus await(TaskHandle handle, Duration timeout) {
    Tracked t = tracked(handle);
    if (t.process == null) {
      return TaskDriver.super.await(handle, timeout);
    }
    try {
      t.process.waitFor(timeout.toNanos(), TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return statusOf(t);
  }

  @Override
  public TaskStatus stop(TaskHandle handle, Duration grace) {
    Tracked t = tracked(handle);
    ProcessSession session = t.session();
    if (statusOf(t).isTerminal() && session.isEmpty(proc)) {
      return statusOf(t);
    }
    markStopRequested(t);
    try {
      session.signal(proc, false);
      if (t.process != null) {
        t.process.destroy(); // covers the instant between spawn and setsid()
      }
      if (!session.awaitEmpty(proc, grace.toNanos(), false)) {
        if (t.process != null) {
          t.process.destroyForcibly();
        }
        if (!session.awaitEmpty(proc, TimeUnit.SECONDS.toNanos(10), true)) {
          throw new DriverException(Kind.FAILED, "task " + handle.id() + ": processes of session "
              + t.record.pid() + " survive SIGKILL: " + session.members(proc));
        }
      }
      if (t.process != null) {
        t.process.waitFor(5, TimeUnit.SECONDS); // let the JVM reap the leader so exitValue is known
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DriverException(Kind.FAILED, "interrupted while stopping task " + handle.id(), e);
    }
    return statusOf(t);
  }

  private void markStopRequested(Tracked t) {
    t.record = t.record.withStopRequested();
    try {
      t.record.write(t.dir);
    } catch (IOException e) {
      // The stop itself matters more than remembering it across a restart.
    }
  }

  private void killSession(ProcessSession session) {
    try {
      session.awaitEmpty(proc, TimeUnit.SECONDS.toNanos(10), true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public List<TaskHandle> recover(String allocationId) {
    Path allocDir = dataDir.resolve(allocationId);
    if (!Files.isDirectory(allocDir)) {
      return List.of();
    }
    List<TaskHandle> handles = new ArrayList<>();
    try (Stream<Path> dirs = Files.list(allocDir)) {
      for (Path dir : dirs.sorted().toList()) {
        if (!Files.isRegularFile(dir.resolve(TaskRecord.FILE))) {
          continue;
        }
        TaskRecord record;
        try {
          record = TaskRecord.read(dir);
        } catch (IOException e) {
          continue; // a half-written or foreign file: nothing we can re-attach to
        }
        String key = key(record.allocationId(), record.taskName());
        Tracked t = tasks.computeIfAbsent(key, k -> new Tracked(dir, null, record));
        if (!statusOf(t).isTerminal()) {
          handles.add(new TaskHandle(name(), key, record.allocationId(), record.taskName(), record.startedAt()));
        }
      }
    } catch (IOException e) {
      throw new DriverException(Kind.FAILED, "cannot read " + allocDir + ": " + e.getMessage(), e);
    }
    return List.copyOf(handles);
  }

  @Override
  public ResourceUsage stats(TaskHandle handle) {
    Tracked t = tracked(handle);
    ProcessSession session = t.session();
    boolean first = t.lastCpuTicks < 0;
    // A first sample walks afresh: an older walk may predate the task.
    long now = System.nanoTime();
    ProcessTable table = tables.takenSince(first ? now : now - SHARED_WALK_AGE.toNanos());
    List<ProcStat> members = session.members(table);
    if (members.isEmpty()) {
      return ResourceUsage.NONE;
    }
    long ticks = members.stream().mapToLong(ProcStat::cpuTicks).sum();
    if (first) {
      // First sample: measure over a short window instead of reporting 0.
      try {
        Thread.sleep(STATS_WINDOW.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      t.lastCpuTicks = ticks;
      t.lastSampleNanos = table.takenNanos();
      table = tables.takenSince(table.takenNanos() + STATS_WINDOW.toNanos());
      members = session.members(table);
      ticks = members.stream().mapToLong(ProcStat::cpuTicks).sum();
    }
    double seconds = (table.takenNanos() - t.lastSampleNanos) / 1e9;
    double cpu = seconds <= 0 ? 0 : Math.max(0, ticks - t.lastCpuTicks) / (double) proc.clockTicksPerSecond() / seconds * 100.0;
    t.lastCpuTicks = ticks;
    t.lastSampleNanos = table.takenNanos();
    long rssKiB = members.stream().mapToLong(m -> proc.rssKiB(m.pid())).sum();
    return new ResourceUsage(cpu, rssKiB / 1024.0);
  }

  @Override
  public String logs(TaskHandle handle, int tailLines) {
    Tracked t = tracked(handle);
    try {
      return LogTail.lastLines(t.dir.resolve("stdout.log"), tailLines)
          + LogTail.lastLines(t.dir.resolve("stderr.log"), tailLines);
    } catch (IOException e) {
      throw new DriverException(Kind.FAILED, "cannot read logs of task " + handle.id() + ": " + e.getMessage(), e);
    }
  }

  /**
   * Runs {@code command} beside the task: its own session, the task's {@code local/} directory and
   * the task's environment (saved in {@code env.properties} at start, so it survives an agent restart).
   */
  @Override
  public CommandResult runInTask(TaskHandle handle, List<String> command, Duration timeout) {
    Tracked t = tracked(handle);
    if (command.isEmpty()) {
      throw new DriverException(Kind.FAILED, "task " + handle.id() + ": an empty command cannot run");
    }
    Path work = t.dir.resolve("local");
    Map<String, String> env = loadEnvironment(t.dir);
    env.putIfAbsent("PATH", System.getenv().getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin"));
    env.putIfAbsent("HOME", work.toString());
    List<String> argv = new ArrayList<>();
    argv.add(SETSID);
    argv.add(resolveExecutable(command.getFirst(), env.get("PATH"), work));
    argv.addAll(command.subList(1, command.size()));
    ProcessBuilder builder = new ProcessBuilder(argv).directory(work.toFile()).redirectErrorStream(true)
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    builder.environment().clear();
    builder.environment().putAll(env);
    Process p;
    try {
      p = builder.start();
    } catch (IOException e) {
      throw new DriverException(Kind.FAILED, "cannot run " + String.join(" ", command) + " for task " + handle.id()
          + ": " + e.getMessage(), e);
    }
    try {
      // Read on the side: a command that fills the pipe must not block its own exit.
      var output = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
        try (var in = p.getInputStream()) {
          byte[] head = in.readNBytes(CommandResult.MAX_OUTPUT);
          in.transferTo(java.io.OutputStream.nullOutputStream());
          return new String(head, java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
          return "";
        }
      }, Thread::startVirtualThread);
      if (!p.waitFor(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)) {
        killSession(new ProcessSession(p.pid(), proc.stat(p.pid()).map(ProcStat::startTicks).orElse(-1L)));
        p.destroyForcibly();
        return CommandResult.timedOut(timeout);
      }
      return new CommandResult(p.exitValue(), output.get(1, TimeUnit.SECONDS));
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new DriverException(Kind.FAILED, "interrupted while running a command for task " + handle.id(), e);
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return new CommandResult(p.exitValue(), "");
    }
  }

  @Override
  public void destroy(TaskHandle handle) {
    Tracked t;
    try {
      t = tracked(handle);
    } catch (DriverException e) {
      if (e.kind() == Kind.TASK_NOT_FOUND) {
        return;
      }
      throw e;
    }
    markStopRequested(t);
    if (t.process != null) {
      t.process.destroyForcibly();
    }
    killSession(t.session());
    if (!t.session().isEmpty(proc)) {
      throw new DriverException(Kind.FAILED, "task " + handle.id() + ": processes survive SIGKILL: "
          + t.session().members(proc));
    }
    tasks.remove(handle.id());
    deleteRecursively(t.dir);
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot remove task directory " + dir, e);
    }
  }

  private Tracked tracked(TaskHandle handle) {
    Tracked t = tasks.get(handle.id());
    if (t != null) {
      return t;
    }
    Path dir = taskDir(handle.allocationId(), handle.taskName());
    if (Files.isRegularFile(dir.resolve(TaskRecord.FILE))) {
      try {
        TaskRecord record = TaskRecord.read(dir);
        return tasks.computeIfAbsent(handle.id(), k -> new Tracked(dir, null, record));
      } catch (IOException e) {
        throw new DriverException(Kind.FAILED, "cannot read " + dir.resolve(TaskRecord.FILE) + ": " + e.getMessage(), e);
      }
    }
    throw new DriverException(Kind.TASK_NOT_FOUND, "exec task " + handle.id() + " is unknown (no "
        + dir.resolve(TaskRecord.FILE) + ")");
  }

  /** Forgets the tasks; their processes keep running, as after an agent restart. */
  @Override
  public void close() {
    tasks.clear();
  }
}
