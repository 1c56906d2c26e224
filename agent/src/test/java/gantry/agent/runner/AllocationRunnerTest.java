package gantry.agent.runner;

import static gantry.agent.Waits.awaitPassAfterNow;
import static gantry.agent.Waits.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.agent.ManualClock;
import gantry.agent.driver.ResourceUsage;
import gantry.agent.driver.TaskDescription;
import gantry.agent.driver.TaskDriver;
import gantry.agent.driver.TaskHandle;
import gantry.agent.driver.TaskStatus;
import gantry.agent.driver.sim.SimDriver;
import gantry.agent.health.HealthProber;
import gantry.v1.AllocatedPort;
import gantry.v1.Allocation;
import gantry.v1.AllocationStatusUpdate;
import gantry.v1.Assignment;
import gantry.v1.CheckSpec;
import gantry.v1.ClientStatus;
import gantry.v1.GroupSpec;
import gantry.v1.RestartPolicy;
import gantry.v1.TaskSpec;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner's loop over the sim driver and a scripted prober: no processes, no network. */
class AllocationRunnerTest {
  static final Duration WAIT = Duration.ofSeconds(10);
  static final AllocationRunner.Settings FAST =
      new AllocationRunner.Settings(Duration.ofMillis(20), Duration.ofMillis(200), Duration.ofMillis(100));

  @TempDir Path dir;
  final SimDriver sim = new SimDriver();
  final DriverSet drivers = DriverSet.simulated(sim, List.of("docker", "exec"));
  final List<AllocationStatusUpdate> sent = new CopyOnWriteArrayList<>();
  final AtomicBoolean healthy = new AtomicBoolean(true);
  final HealthProber prober = c -> new HealthProber.Result(healthy.get(), healthy.get() ? "HTTP 200" : "HTTP 500");

  AllocationRunner runner(Assignment a, AllocationStore store) {
    return AllocationRunner.create(a, drivers, Clock.systemUTC(), prober, store, FAST, sent::add, r -> { });
  }

  static Assignment assignment(String id, int attempts, String... tasks) {
    GroupSpec.Builder g = GroupSpec.newBuilder().setName("g").setRestart(RestartPolicy.newBuilder()
        .setAttempts(attempts).setDelayMs(10).setIntervalMs(60_000).setMode("fail"));
    for (String t : tasks) {
      g.addTasks(TaskSpec.newBuilder().setName(t).setCheck(CheckSpec.newBuilder().setType("tcp").setPort("p")
          .setIntervalMs(20).setTimeoutMs(10)));
    }
    return Assignment.newBuilder().setAllocation(Allocation.newBuilder().setId(id).setJob("j").setGroup("g")
        .addPorts(AllocatedPort.newBuilder().setName("p").setHost(20000).setTo(80))).setGroup(g).build();
  }

  Optional<TaskHandle> handle(String alloc, String task) {
    return sim.recover(alloc).stream().filter(h -> h.taskName().equals(task)).findFirst();
  }

  AllocationStatusUpdate last() {
    return sent.getLast();
  }

  @Test
  void anUnhealthyTaskIsRestartedAndHealthIsReported() throws Exception {
    AllocationRunner r = runner(assignment("a1", 1, "web"), AllocationStore.none());
    r.start();
    waitFor("healthy", WAIT).until(() -> !sent.isEmpty()
        && last().getTasksOrThrow("web").getHealth().equals("healthy"));
    assertEquals(ClientStatus.CLIENT_STATUS_RUNNING, last().getClientStatus());
    healthy.set(false);
    waitFor("restarted", WAIT).until(() -> last().getTasksOrThrow("web").getRestarts() == 1);
    healthy.set(true);
    waitFor("healthy again", WAIT).until(() -> last().getTasksOrThrow("web").getHealth().equals("healthy"));
    healthy.set(false);
    waitFor("failed", WAIT).until(() -> last().getClientStatus() == ClientStatus.CLIENT_STATUS_FAILED);
    assertTrue(last().getTasksOrThrow("web").getMessage().startsWith("unhealthy: HTTP 500"));
    assertTrue(sent.stream().noneMatch(AllocationStatusUpdate::hasDeployHealth), "no update block: no deploy health");
    r.detach();
    assertTrue(r.join(WAIT));
  }

  @Test
  void aFailedTaskStopsItsSiblingsAndAStopCompletes() throws Exception {
    AllocationRunner r = runner(assignment("a2", 0, "main", "side"), AllocationStore.none());
    r.start();
    waitFor("both running", WAIT).until(() -> handle("a2", "main").isPresent() && handle("a2", "side").isPresent());
    sim.exit(handle("a2", "main").orElseThrow(), 3);
    waitFor("failed", WAIT).until(() -> !sent.isEmpty()
        && last().getClientStatus() == ClientStatus.CLIENT_STATUS_FAILED);
    assertEquals("dead", last().getTasksOrThrow("side").getState());
    assertEquals("sibling task main failed", last().getTasksOrThrow("side").getMessage());
    assertTrue(last().getDescription().startsWith("task main: exit code 3"), last().getDescription());
    assertTrue(sim.recover("a2").isEmpty());

    AllocationRunner s = runner(assignment("a3", 0, "main"), AllocationStore.none());
    s.start();
    waitFor("running", WAIT).until(() -> s.status().getClientStatus() == ClientStatus.CLIENT_STATUS_RUNNING);
    s.stop("stopped by the managers", false, false);
    waitFor("complete", WAIT).until(() -> s.status().getClientStatus() == ClientStatus.CLIENT_STATUS_COMPLETE);
    r.detach();
    s.detach();
  }

  @Test
  void metricsAreSampledAndARecoveredRunnerAdoptsTheRunningTask() throws Exception {
    AllocationStore store = AllocationStore.in(dir);
    AllocationRunner r = runner(assignment("a4", 1, "web"), store);
    r.start();
    waitFor("running", WAIT).until(() -> handle("a4", "web").isPresent());
    TaskHandle h = handle("a4", "web").orElseThrow();
    sim.setUsage(h, new ResourceUsage(42.5, 100));
    waitFor("metrics", WAIT).until(() -> r.status().getMetrics().getCpuPercent() == 42.5);
    assertEquals(100, r.status().getMetrics().getMemoryMb());
    r.detach();
    assertTrue(r.join(WAIT));

    // The recovered runner's time stands still until moved: a task it wrongly took for lost would
    // wait for its restart delay, so the clock goes past that before the runner is given its chance.
    var saved = store.loadAll();
    assertEquals(1, saved.size());
    ManualClock clock = new ManualClock(Instant.now());
    AllocationRunner again = AllocationRunner.recovered(saved.getFirst(), drivers, clock, prober, store, FAST,
        sent::add, x -> { });
    again.start();
    waitFor("re-attached", WAIT).until(() -> again.passes() > 0);
    clock.advance(Duration.ofSeconds(1)); // > the 10 ms restart delay
    awaitPassAfterNow(again, WAIT);
    assertEquals(List.of(h), sim.recover("a4"), "the same task, not a second one");
    assertEquals(ClientStatus.CLIENT_STATUS_RUNNING, again.status().getClientStatus());
    assertEquals(0, again.status().getTasksOrThrow("web").getRestarts());
    again.stop("no longer assigned", false, true);
    assertTrue(again.join(WAIT));
    assertTrue(store.loadAll().isEmpty());
    assertEquals(0, sim.size());
  }

  @Test
  void aWatchedTaskIsNotPolledAndItsEndIsSeenAtOnce() throws Exception {
    // Poll and metrics intervals of an hour: only the sim driver's word that the task ended can
    // make the runner see it within the wait.
    AllocationRunner.Settings hourly = new AllocationRunner.Settings(Duration.ofHours(1), Duration.ofHours(1),
        Duration.ofMillis(100));
    Assignment checked = assignment("a5", 1, "main");
    Assignment a = checked.toBuilder().setGroup(checked.getGroup().toBuilder()
        .setTasks(0, TaskSpec.newBuilder().setName("main"))).build(); // no health check
    AllocationRunner r = AllocationRunner.create(a, drivers, Clock.systemUTC(), prober, AllocationStore.none(),
        hourly, sent::add, x -> { });
    r.start();
    waitFor("running", WAIT).until(() -> r.status().getClientStatus() == ClientStatus.CLIENT_STATUS_RUNNING);
    TaskHandle first = handle("a5", "main").orElseThrow();
    sim.exit(first, 7);
    waitFor("restarted after its exit", WAIT).until(() -> r.status().getTasksOrThrow("main").getRestarts() == 1
        && handle("a5", "main").filter(h -> !h.equals(first)).isPresent());
    sim.exit(handle("a5", "main").orElseThrow(), 7);
    waitFor("failed: its one restart is used", WAIT)
        .until(() -> r.status().getClientStatus() == ClientStatus.CLIENT_STATUS_FAILED);
    assertTrue(r.status().getDescription().startsWith("task main: exit code 7"), r.status().getDescription());
    r.detach();
    assertTrue(r.join(WAIT));
  }

  @Test
  void aTaskStartedWhenItsMetricsAreDueIsReportedRunningBeforeItsStatsAreRead() throws Exception {
    // A busy engine: the start takes the whole metrics interval (the clock moves in it), and the
    // stats read that is then due hangs, as a read of a busy engine's stats does for seconds.
    ManualClock clock = new ManualClock(Instant.now());
    CountDownLatch statsAnswer = new CountDownLatch(1);
    AtomicInteger statsReads = new AtomicInteger();
    TaskDriver busyEngine = new BusyEngine(sim, clock, FAST.metricsInterval(), statsReads, statsAnswer);
    Assignment checked = assignment("a6", 1, "main");
    Assignment a = checked.toBuilder().setGroup(checked.getGroup().toBuilder()
        .setTasks(0, TaskSpec.newBuilder().setName("main"))).build();
    AllocationRunner r = AllocationRunner.create(a, DriverSet.simulated(busyEngine, List.of("docker", "exec")), clock,
        prober, AllocationStore.none(), FAST, sent::add, x -> { });
    r.start();
    waitFor("the stats read", WAIT).until(() -> statsReads.get() == 1);
    assertTrue(sent.stream().anyMatch(u -> u.getClientStatus() == ClientStatus.CLIENT_STATUS_RUNNING),
        "reported running while the stats read still waits: " + sent);
    sim.setUsage(handle("a6", "main").orElseThrow(), new ResourceUsage(12.5, 64));
    statsAnswer.countDown();
    waitFor("the metrics of that read", WAIT).until(() -> r.status().getMetrics().getCpuPercent() == 12.5);
    r.detach();
    assertTrue(r.join(WAIT));
  }

  @Test
  void logsNameTheTaskOrSayWhyThereAreNone() throws Exception {
    AllocationRunner r = runner(assignment("a9", 0, "main", "side"), AllocationStore.none());
    r.start();
    waitFor("both tasks started", WAIT).until(() -> handle("a9", "main").isPresent()
        && handle("a9", "side").isPresent());
    assertTrue(r.logs("", 10).getError().contains("has tasks main, side; name one"), r.logs("", 10).toString());
    assertTrue(r.logs("nope", 10).getError().contains("has no task 'nope'"));
    var reply = r.logs("side", 10);
    assertEquals("", reply.getError());
    assertEquals("side", reply.getTask());
    r.stop("test over", false, true);
    assertTrue(r.join(WAIT));
  }

  /**
   * The sim driver behind a busy engine: each start takes {@code startTakes} of {@code clock}'s
   * time, and each stats read counts itself in {@code statsReads} and waits for {@code statsAnswer}.
   */
  record BusyEngine(SimDriver sim, ManualClock clock, Duration startTakes, AtomicInteger statsReads,
      CountDownLatch statsAnswer) implements TaskDriver {
    @Override
    public String name() {
      return sim.name();
    }

    @Override
    public TaskHandle start(TaskDescription task) {
      clock.advance(startTakes);
      return sim.start(task);
    }

    @Override
    public TaskStatus status(TaskHandle handle) {
      return sim.status(handle);
    }

    @Override
    public boolean watch(TaskHandle handle, Runnable onEnd) {
      return sim.watch(handle, onEnd);
    }

    @Override
    public TaskStatus stop(TaskHandle handle, Duration grace) {
      return sim.stop(handle, grace);
    }

    @Override
    public List<TaskHandle> recover(String allocationId) {
      return sim.recover(allocationId);
    }

    @Override
    public ResourceUsage stats(TaskHandle handle) {
      statsReads.incrementAndGet();
      try {
        statsAnswer.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return sim.stats(handle);
    }

    @Override
    public String logs(TaskHandle handle, int tailLines) {
      return sim.logs(handle, tailLines);
    }

    @Override
    public void destroy(TaskHandle handle) {
      sim.destroy(handle);
    }

    @Override
    public void close() {
      sim.close();
    }
  }
}
