package gantry.agent.runner;

import static gantry.agent.Waits.awaitPassAfterNow;
import static gantry.agent.Waits.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.agent.ManualClock;
import gantry.agent.driver.sim.SimDriver;
import gantry.agent.health.HealthProber;
import gantry.v1.AllocatedPort;
import gantry.v1.Allocation;
import gantry.v1.AllocationStatusUpdate;
import gantry.v1.Assignment;
import gantry.v1.CheckSpec;
import gantry.v1.ClientStatus;
import gantry.v1.DeployHealth;
import gantry.v1.GroupSpec;
import gantry.v1.RestartPolicy;
import gantry.v1.TaskSpec;
import gantry.v1.UpdatePolicy;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deploy health through the runner: the sim driver, a scripted prober and a clock that moves only
 * when the test moves it. Metrics are sampled once an hour, so every update sent here was sent for
 * a change of state.
 */
class AllocationRunnerDeployHealthTest {
  static final Duration WAIT = Duration.ofSeconds(10);
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  static final AllocationRunner.Settings NO_METRICS =
      new AllocationRunner.Settings(Duration.ofMillis(20), Duration.ofHours(1), Duration.ofMillis(100));

  @TempDir Path dir;
  final ManualClock clock = new ManualClock(T0);
  final SimDriver sim = new SimDriver(clock);
  final List<AllocationStatusUpdate> sent = new CopyOnWriteArrayList<>();
  final AtomicBoolean healthy = new AtomicBoolean(true);
  final HealthProber prober = c -> new HealthProber.Result(healthy.get(), healthy.get() ? "HTTP 200" : "HTTP 500");

  /**
   * One task "web" with a tcp check every second, restarted {@code attempts} times after
   * {@code delayMs}; update: min_healthy_time 10 s, healthy_deadline 5 min.
   */
  static Assignment assignment(String id, int attempts, long delayMs, String driver) {
    GroupSpec g = GroupSpec.newBuilder().setName("g")
        .setRestart(RestartPolicy.newBuilder().setAttempts(attempts).setDelayMs(delayMs).setIntervalMs(60_000)
            .setMode("fail"))
        .setUpdate(UpdatePolicy.newBuilder().setMaxParallel(1).setMinHealthyTimeMs(10_000)
            .setHealthyDeadlineMs(300_000))
        .addTasks(TaskSpec.newBuilder().setName("web").setDriver(driver).setCheck(CheckSpec.newBuilder()
            .setType("tcp").setPort("p").setIntervalMs(1_000).setTimeoutMs(100)))
        .build();
    return Assignment.newBuilder().setAllocation(Allocation.newBuilder().setId(id).setJob("j").setGroup("g")
        .addPorts(AllocatedPort.newBuilder().setName("p").setHost(20000).setTo(80))).setGroup(g).build();
  }

  AllocationStatusUpdate last() {
    return sent.getLast();
  }

  @Test
  void healthyAfterMinHealthyTimeIsSentAndStays() throws Exception {
    AllocationStore store = AllocationStore.in(dir);
    AllocationRunner r = AllocationRunner.create(assignment("d1", 1, 10, ""), DriverSet.simulated(sim,
        List.of("docker", "exec")), clock, prober, store, NO_METRICS, sent::add, x -> { });
    r.start();
    waitFor("running", WAIT).until(() -> r.status().getClientStatus() == ClientStatus.CLIENT_STATUS_RUNNING);
    clock.advance(Duration.ofSeconds(1)); // the first probe is due: healthy from T0 + 1 s
    waitFor("check healthy", WAIT).until(() -> !sent.isEmpty()
        && last().getTasksOrThrow("web").getHealth().equals("healthy"));
    assertFalse(last().hasDeployHealth());

    clock.advance(Duration.ofMillis(9_999));
    awaitPassAfterNow(r, WAIT);
    assertFalse(r.status().hasDeployHealth(), "1 ms short of min_healthy_time: " + r.status().getDeployHealth());

    clock.advance(Duration.ofMillis(1));
    waitFor("deploy health sent", WAIT).until(() -> last().hasDeployHealth());
    DeployHealth expected = DeployHealth.newBuilder().setStatus("healthy")
        .setReason("every task running and passing its checks for 10s").setTimeMs(T0.plusSeconds(11).toEpochMilli())
        .build();
    assertEquals(expected, last().getDeployHealth());
    int first = sent.size() - 1;
    assertEquals(sent.get(first - 1), sent.get(first).toBuilder().clearDeployHealth().build(),
        "the decision alone made this update");

    // Sticky: the check fails, the task restarts; every later update still says healthy.
    healthy.set(false);
    waitFor("restarted", WAIT).until(() -> {
      clock.advance(Duration.ofSeconds(1));
      return last().getTasksOrThrow("web").getRestarts() == 1;
    });
    assertTrue(sent.size() > first + 1);
    sent.subList(first, sent.size()).forEach(u -> assertEquals(expected, u.getDeployHealth(), u.toString()));
    r.detach();
    assertTrue(r.join(WAIT));
    assertEquals(expected, store.loadAll().getFirst().deployHealth(), "kept for a re-attach");
  }

  @Test
  void aTaskThatFailsAtStartIsUnhealthyWithItsReason() throws Exception {
    // The node has only the sim driver; the task asks for docker, so its start fails.
    AllocationRunner r = AllocationRunner.create(assignment("d2", 0, 10, "docker"), DriverSet.of(List.of(sim), "sim"),
        clock, prober, AllocationStore.none(), NO_METRICS, sent::add, x -> { });
    r.start();
    waitFor("deploy health sent", WAIT).until(() -> !sent.isEmpty() && last().hasDeployHealth());
    DeployHealth d = last().getDeployHealth();
    assertEquals("unhealthy", d.getStatus());
    assertTrue(d.getReason().startsWith("task web: start failed: driver docker is not available on this node"),
        d.getReason());
    assertEquals(T0.toEpochMilli(), d.getTimeMs());
    assertEquals(ClientStatus.CLIENT_STATUS_FAILED, last().getClientStatus());
    r.detach();
    assertTrue(r.join(WAIT));
  }

  @Test
  void aTaskLostWhileTheAgentWasDownIsUnhealthyEvenWhenItsRestartIsDueAtOnce() throws Exception {
    AllocationStore store = AllocationStore.in(dir);
    DriverSet drivers = DriverSet.simulated(sim, List.of("docker", "exec"));
    AllocationRunner r = AllocationRunner.create(assignment("d3", 2, 0, ""), drivers, clock, prober, store,
        NO_METRICS, sent::add, x -> { });
    r.start();
    waitFor("running", WAIT).until(() -> r.status().getClientStatus() == ClientStatus.CLIENT_STATUS_RUNNING);
    r.detach();
    assertTrue(r.join(WAIT));
    sim.exit(sim.recover("d3").getFirst(), 1); // ends while no agent watches
    clock.advance(Duration.ofSeconds(1));

    AllocationRunner again = AllocationRunner.recovered(store.loadAll().getFirst(), drivers, clock, prober, store,
        NO_METRICS, sent::add, x -> { });
    again.start();
    waitFor("restarted", WAIT).until(() -> again.status().getTasksOrThrow("web").getRestarts() == 1);
    DeployHealth d = again.status().getDeployHealth();
    assertEquals("unhealthy", d.getStatus(), again.status().toString());
    assertEquals("task web: ended while the agent was down; exit code unknown", d.getReason());
    assertEquals(T0.plusSeconds(1).toEpochMilli(), d.getTimeMs());
    again.detach();
    assertTrue(again.join(WAIT));
  }
}
