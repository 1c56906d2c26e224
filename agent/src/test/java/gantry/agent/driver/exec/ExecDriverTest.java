package gantry.agent.driver.exec;

import static gantry.agent.Waits.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.agent.driver.DriverException;
import gantry.agent.driver.ResourceUsage;
import gantry.agent.driver.TaskDescription;
import gantry.agent.driver.TaskHandle;
import gantry.agent.driver.TaskStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecDriverTest {
  @TempDir Path dataDir;
  private ExecDriver driver;
  private final List<TaskHandle> started = new ArrayList<>();

  @BeforeEach
  void setUp() {
    driver = new ExecDriver(dataDir);
  }

  @AfterEach
  void cleanUp() {
    ExecDriver cleaner = new ExecDriver(dataDir);
    for (TaskHandle h : started) {
      cleaner.destroy(h);
    }
  }

  private TaskHandle start(TaskDescription task) {
    TaskHandle h = driver.start(task);
    started.add(h);
    return h;
  }

  private static TaskDescription sh(String alloc, String script) {
    return TaskDescription.builder(alloc, "main").job("web").command("sh", "-c", script).build();
  }

  /** Waits until the leader has at least {@code n} live descendants and returns their pids. */
  private static List<Long> descendants(TaskHandle h, long leaderPid, int n) {
    return waitFor("task " + h.id() + " with " + n + " live descendants", Duration.ofSeconds(5))
        .until(() -> ProcessHandle.of(leaderPid).stream().flatMap(ProcessHandle::descendants)
            .map(ProcessHandle::pid).toList(), pids -> pids.size() >= n);
  }

  private static boolean alive(long pid) {
    return ProcFs.system().stat(pid).filter(s -> !s.ended()).isPresent();
  }

  private long leaderPid(TaskHandle h) throws Exception {
    return TaskRecord.read(dataDir.resolve(h.allocationId()).resolve(h.taskName())).pid();
  }

  @Test
  void stopKillsEveryDescendantIncludingGrandchildrenThatIgnoreSigterm() throws Exception {
    // The outer shell and its children ignore SIGTERM (inherited), so only the SIGKILL after the
    // grace ends them; the inner shell's sleep is a grandchild.
    TaskHandle h = start(sh("a1", "trap '' TERM; sh -c 'sleep 300 & sleep 300' & sleep 300 & wait"));
    long leader = leaderPid(h);
    List<Long> tree = descendants(h, leader, 4);

    Instant t0 = Instant.now();
    TaskStatus status = driver.stop(h, Duration.ofMillis(500));
    Duration took = Duration.between(t0, Instant.now());

    assertInstanceOf(TaskStatus.Killed.class, status);
    assertTrue(took.compareTo(Duration.ofMillis(450)) >= 0, "SIGKILL came before the grace: " + took);
    assertTrue(took.compareTo(Duration.ofSeconds(4)) < 0, "stop took " + took);
    assertTrue(!alive(leader), "leader " + leader + " survived");
    for (long pid : tree) {
      assertTrue(!alive(pid), "descendant " + pid + " survived stop");
    }
  }

  @Test
  void stopEndsACooperativeTreeWithSigtermQuickly() throws Exception {
    TaskHandle h = start(sh("a2", "sleep 300 & sleep 300 & wait"));
    long leader = leaderPid(h);
    List<Long> tree = descendants(h, leader, 2);
    Instant t0 = Instant.now();
    assertInstanceOf(TaskStatus.Killed.class, driver.stop(h, Duration.ofSeconds(10)));
    assertTrue(Duration.between(t0, Instant.now()).compareTo(Duration.ofSeconds(3)) < 0);
    for (long pid : tree) {
      assertTrue(!alive(pid), "descendant " + pid + " survived stop");
    }
  }

  @Test
  void envWorkingDirLogsAndExitCode() {
    TaskDescription task = TaskDescription.builder("a3", "main").job("web")
        .command("sh", "-c", "echo greeting=$GREETING; echo alloc=$GANTRY_ALLOC_ID; pwd; echo oops >&2; exit 7")
        .env("GREETING", "hello").workingDir("work").build();
    TaskHandle h = start(task);
    TaskStatus status = driver.await(h, Duration.ofSeconds(10));
    assertEquals(7, assertInstanceOf(TaskStatus.Exited.class, status).exitCode());
    String logs = driver.logs(h, 10);
    assertTrue(logs.contains("greeting=hello"), logs);
    assertTrue(logs.contains("alloc=a3"), logs);
    assertTrue(logs.contains(dataDir.resolve("a3/main/local/work").toString()), logs);
    assertTrue(logs.contains("oops"), logs);
    assertEquals(ResourceUsage.NONE, driver.stats(h));
  }

  @Test
  void logsReturnOnlyTheTail() {
    TaskHandle h = start(sh("a4", "for i in 1 2 3 4 5; do echo line$i; done"));
    assertInstanceOf(TaskStatus.Exited.class, driver.await(h, Duration.ofSeconds(10)));
    assertEquals("line4\nline5\n", driver.logs(h, 2));
  }

  @Test
  void theEndOfAStartedTaskIsToldAndARecoveredOneIsPolled() throws Exception {
    TaskHandle h = start(sh("a10", "sleep 300"));
    CountDownLatch ended = new CountDownLatch(1);
    assertTrue(driver.watch(h, ended::countDown));
    assertEquals(1, ended.getCount(), "told while the task still runs");
    assertInstanceOf(TaskStatus.Running.class, driver.status(h));
    ProcessHandle.of(leaderPid(h)).orElseThrow().destroy(); // SIGTERM from outside the agent
    assertTrue(ended.await(10, TimeUnit.SECONDS), "the end was told");
    assertInstanceOf(TaskStatus.Exited.class, driver.status(h));

    CountDownLatch late = new CountDownLatch(1);
    assertTrue(driver.watch(h, late::countDown));
    assertTrue(late.await(10, TimeUnit.SECONDS), "a watch of an ended task is told too");

    TaskHandle running = start(sh("a11", "sleep 300"));
    ExecDriver afterRestart = new ExecDriver(dataDir);
    assertEquals(List.of(running.id()), afterRestart.recover("a11").stream().map(TaskHandle::id).toList());
    assertTrue(!afterRestart.watch(running, () -> { }),
        "a recovered task is not the agent's child, so its end cannot be told: the runner polls it");
  }

  @Test
  void recoverAfterRestartReattachesAndStops() throws Exception {
    TaskHandle h = start(sh("a5", "sleep 300"));
    long leader = leaderPid(h);
    driver.close();

    ExecDriver restarted = new ExecDriver(dataDir);
    List<TaskHandle> recovered = restarted.recover("a5");
    assertEquals(1, recovered.size());
    TaskHandle r = recovered.getFirst();
    assertEquals(h.id(), r.id());
    assertInstanceOf(TaskStatus.Running.class, restarted.status(r));
    ResourceUsage usage = restarted.stats(r);
    assertTrue(usage.memoryMiB() > 0 && usage.memoryMiB() < 100, "memory " + usage);
    assertTrue(restarted.recover("other").isEmpty());

    assertInstanceOf(TaskStatus.Killed.class, restarted.stop(r, Duration.ofSeconds(2)));
    assertTrue(!alive(leader));
    assertTrue(new ExecDriver(dataDir).recover("a5").isEmpty(), "a stopped task is not recovered");
  }

  @Test
  void recoverIgnoresAReusedPid() throws Exception {
    // A record naming a live pid (this JVM) with another start time: the pid was reused.
    Path dir = Files.createDirectories(dataDir.resolve("a6/main"));
    long self = ProcessHandle.current().pid();
    long ticks = ProcFs.system().stat(self).orElseThrow().startTicks();
    new TaskRecord("a6", "main", "web", self, ticks + 1, Instant.now(), false).write(dir);
    assertTrue(driver.recover("a6").isEmpty());
  }

  @Test
  void statsMeasureABusyLoop() {
    TaskHandle h = start(sh("a7", "while :; do :; done"));
    ResourceUsage usage = driver.stats(h);
    assertTrue(usage.cpuPercent() > 1 && usage.cpuPercent() < 250, "cpu " + usage);
    assertTrue(usage.memoryMiB() > 0, "memory " + usage);
  }

  @Test
  void missingCommandFailsClearly() {
    var e = assertThrows(DriverException.class, () -> start(
        TaskDescription.builder("a8", "main").command("no-such-binary-gantry", "x").build()));
    assertEquals(DriverException.Kind.COMMAND_NOT_FOUND, e.kind());
    assertTrue(e.getMessage().startsWith("command not found: no-such-binary-gantry"), e.getMessage());
  }

  @Test
  void startingTheSameTaskTwiceIsRefused() {
    start(sh("a9", "sleep 300"));
    var e = assertThrows(DriverException.class, () -> driver.start(sh("a9", "sleep 300")));
    assertEquals(DriverException.Kind.ALREADY_RUNNING, e.kind());
  }

  @Test
  void aCommandRunsInTheTaskWithItsEnvironmentAndATimeoutIsReported() throws Exception {
    TaskHandle h = start(TaskDescription.builder("run1", "main").job("web").env("GREETING", "hello")
        .command("sleep", "30").build());
    var ok = driver.runInTask(h, List.of("sh", "-c", "echo $GREETING from $GANTRY_TASK in $(basename $PWD)"),
        Duration.ofSeconds(10));
    assertEquals(0, ok.exitCode());
    assertEquals("hello from main in local\n", ok.output());
    assertEquals(3, driver.runInTask(h, List.of("sh", "-c", "exit 3"), Duration.ofSeconds(10)).exitCode());
    long t0 = System.nanoTime();
    var slow = driver.runInTask(h, List.of("sleep", "30"), Duration.ofMillis(300));
    assertEquals(-1, slow.exitCode());
    assertTrue(slow.output().startsWith("timed out"), slow.output());
    assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(20).toNanos(), "the timed-out command was killed");
    // A restarted agent still has the environment (the driver reads it from the task directory).
    var again = new ExecDriver(dataDir).runInTask(h, List.of("sh", "-c", "echo $GREETING"), Duration.ofSeconds(10));
    assertEquals("hello\n", again.output());
    assertThrows(DriverException.class, () -> driver.runInTask(h, List.of("no-such-program-x"), Duration.ofSeconds(1)));
  }
}
