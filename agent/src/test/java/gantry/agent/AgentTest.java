package gantry.agent;

import static gantry.agent.Waits.awaitPassAfterNow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.agent.driver.exec.ExecDriver;
import gantry.agent.health.NetworkProber;
import gantry.agent.runner.AllocationRunner;
import gantry.agent.runner.AllocationSupervisor;
import gantry.agent.session.GrpcTransport;
import gantry.agent.session.ScriptedManager;
import gantry.v1.Allocation;
import gantry.v1.AllocationStatusUpdate;
import gantry.v1.Assignment;
import gantry.v1.ClientStatus;
import gantry.v1.DesiredStatus;
import gantry.v1.DisconnectPolicy;
import gantry.v1.GroupSpec;
import gantry.v1.RestartPolicy;
import gantry.v1.TaskSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent against a scripted manager (a real gRPC server on loopback) with the exec driver
 * running real processes: redirects, status reporting, restarts, stream breaks, agent restarts,
 * fencing, and a small simulation.
 */
class AgentTest {
  static final Duration WAIT = Duration.ofSeconds(15);
  static final AllocationRunner.Settings FAST =
      new AllocationRunner.Settings(Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(1));

  @TempDir Path dir;
  final List<AutoCloseable> closeLast = new ArrayList<>();
  final List<String> allocations = new ArrayList<>();

  @AfterEach
  void cleanUp() throws Exception {
    for (AutoCloseable c : closeLast.reversed()) {
      c.close();
    }
    // The agent leaves tasks running on close (that is the point); end them here.
    try (ExecDriver exec = new ExecDriver(dir.resolve("data/exec"))) {
      for (String id : allocations) {
        exec.recover(id).forEach(exec::destroy);
      }
    }
  }

  final List<ScriptedManager> managers = new ArrayList<>();
  final List<Agent> agents = new ArrayList<>();

  ScriptedManager manager() throws IOException {
    ScriptedManager m = track(new ScriptedManager());
    managers.add(m);
    return m;
  }

  /** {@link Waits#waitFor} up to {@link #WAIT}, failing with what the managers and agents saw. */
  void waitFor(String what, Callable<Boolean> condition) {
    try {
      Waits.waitFor(what, WAIT).until(condition);
    } catch (ConditionTimeoutException e) {
      StringBuilder b = new StringBuilder(e.getMessage());
      for (ScriptedManager m : managers) {
        b.append("\n manager ").append(m.address()).append(": registrations=").append(m.registrations.size())
            .append(" opens=").append(m.opens).append(" heartbeats=").append(m.heartbeats.get())
            .append(" assignments sent=").append(m.assignmentsSent.get())
            .append(" updates=").append(m.updates.stream().map(u -> u.getClientStatus() + "/"
                + u.getTasksMap().values().stream().map(t -> t.getState() + ":" + t.getMessage()).toList()).toList());
      }
      for (Agent a : agents) {
        var m = a.members().getFirst();
        b.append("\n agent: session ").append(m.session().state()).append(" at ").append(m.session().address())
            .append(" opens=").append(m.session().opens())
            .append(" assignments applied=").append(m.supervisor().assignmentsApplied()).append(" status=")
            .append(m.supervisor().currentStatus().stream().map(u -> u.getClientStatus() + " "
                + u.getDescription()).toList());
      }
      throw new AssertionError(b.toString(), e);
    }
  }

  /** Waits until {@code agent} has applied every assignments message the managers sent it. */
  void awaitAssignmentsApplied(Agent agent) {
    AllocationSupervisor supervisor = agent.members().getFirst().supervisor();
    waitFor("every assignments message sent applied", () -> supervisor.assignmentsApplied()
        >= managers.stream().mapToInt(m -> m.assignmentsSent.get()).sum());
  }

  <T extends AutoCloseable> T track(T c) {
    closeLast.add(c);
    return c;
  }

  Agent agent(String... servers) {
    return agent(Clock.systemUTC(), servers);
  }

  Agent agent(Clock clock, String... servers) {
    AgentConfig c = AgentConfig.of("node-a", List.of(servers), dir.resolve("data")).withDriver("exec")
        .withRunner(FAST).withLabels(java.util.Map.of("rack", "r1"));
    Agent a = track(Agent.start(c, new GrpcTransport(), new NetworkProber(), clock));
    agents.add(a);
    return a;
  }

  Assignment assignment(GroupSpec.Builder group, String... command) {
    String id = UUID.randomUUID().toString();
    allocations.add(id);
    return Assignment.newBuilder()
        .setAllocation(Allocation.newBuilder().setId(id).setJob("job").setGroup("g")
            .setDesiredStatus(DesiredStatus.DESIRED_STATUS_RUN).setClientStatus(ClientStatus.CLIENT_STATUS_PENDING))
        .setGroup(group.setName("g").addTasks(TaskSpec.newBuilder().setName("t").setDriver("exec")
            .addAllCommand(List.of(command))))
        .build();
  }

  static GroupSpec.Builder restart(int attempts) {
    return GroupSpec.newBuilder().setRestart(RestartPolicy.newBuilder().setAttempts(attempts).setDelayMs(100)
        .setIntervalMs(60_000).setMode("fail"));
  }

  static String id(Assignment a) {
    return a.getAllocation().getId();
  }

  static boolean has(ScriptedManager m, Assignment a, ClientStatus s) {
    return m.updates.stream().anyMatch(u -> u.getAllocationId().equals(id(a)) && u.getClientStatus() == s);
  }

  /** Processes whose command line is exactly {@code sleep ARG} (ARG unique per test). */
  static long sleepers(String arg) throws IOException {
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      return procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).filter(p -> {
        try {
          String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
          return cmd.endsWith("sleep\0" + arg + "\0");
        } catch (IOException e) {
          return false;
        }
      }).count();
    }
  }

  static String uniqueSleep() {
    return "3" + ThreadLocalRandom.current().nextInt(100, 999) + "." + ThreadLocalRandom.current().nextInt(100, 999);
  }

  @Test
  void registersThroughAFollowerThenReportsRunningAndFinallyFailed() throws Exception {
    ScriptedManager leader = manager();
    ScriptedManager follower = manager();
    follower.follow(leader.address());
    agent(follower.address());
    waitFor("a session with the leader", () -> leader.opens.size() == 1);
    assertFalse(follower.registrations.isEmpty(), "the agent asked the follower first");
    var node = leader.registrations.getFirst().getNode();
    assertEquals(leader.opens.getFirst(), node.getId());
    assertTrue(node.getDriversList().contains("exec"));
    assertEquals("r1", node.getLabelsMap().get("rack"));
    assertTrue(node.getAttributesMap().keySet().containsAll(List.of("os", "arch", "hostname", "cpu.millicores",
        "memory.mb")));

    Assignment a = assignment(restart(1), "sh", "-c", "sleep 0.3; exit 1");
    leader.assign(node.getId(), List.of(a));
    waitFor("RUNNING", () -> has(leader, a, ClientStatus.CLIENT_STATUS_RUNNING));
    waitFor("FAILED", () -> has(leader, a, ClientStatus.CLIENT_STATUS_FAILED));
    AllocationStatusUpdate last = leader.latest(id(a));
    var task = last.getTasksOrThrow("t");
    assertEquals("dead", task.getState());
    assertTrue(task.getFailed());
    assertEquals(1, task.getRestarts());
    assertTrue(task.getMessage().startsWith("exit code 1; exceeded 1 restart"), task.getMessage());
    assertTrue(last.getDescription().contains("exit code 1"), last.getDescription());
    waitFor("heartbeats", () -> leader.heartbeats.get() >= 2);
  }

  @Test
  void aBrokenStreamOrALeaderChangeReconnectsWithoutRestartingTheTask() throws Exception {
    ScriptedManager leader = manager();
    ScriptedManager next = manager();
    Agent agent = agent(leader.address());
    waitFor("session", () -> leader.opens.size() == 1);
    String nodeId = leader.opens.getFirst();
    String arg = uniqueSleep();
    Assignment a = assignment(restart(3), "sleep", arg);
    leader.assign(nodeId, List.of(a));
    next.assign(nodeId, List.of(a));
    waitFor("RUNNING", () -> has(leader, a, ClientStatus.CLIENT_STATUS_RUNNING));
    long startedAt = leader.latest(id(a)).getTasksOrThrow("t").getStartedAtMs();
    AllocationRunner runner = agent.members().getFirst().supervisor().runner(id(a));

    leader.breakStreams();
    waitFor("open again after the break", () -> leader.opens.size() == 2);
    assertEquals(nodeId, leader.opens.get(1));

    leader.sendNotLeader(next.address());
    waitFor("open with the new leader", () -> next.opens.size() == 1);
    waitFor("full status at the new leader", () -> next.latest(id(a)) != null);
    var task = next.latest(id(a)).getTasksOrThrow("t");
    assertEquals(ClientStatus.CLIENT_STATUS_RUNNING, next.latest(id(a)).getClientStatus());
    assertEquals(startedAt, task.getStartedAtMs());
    assertEquals(0, task.getRestarts());
    assertEquals(next.address(), agent.members().getFirst().session().address());

    // The full status goes up at open, before the new leader's assignments arrive: only once the
    // runner has taken them and made a pass has it had its chance to restart the task.
    awaitAssignmentsApplied(agent);
    awaitPassAfterNow(agent.members().getFirst().supervisor().runner(id(a)), WAIT);
    assertSame(runner, agent.members().getFirst().supervisor().runner(id(a)), "the same runner");
    assertEquals(ClientStatus.CLIENT_STATUS_RUNNING, runner.status().getClientStatus());
    assertEquals(startedAt, runner.status().getTasksOrThrow("t").getStartedAtMs());
    assertEquals(0, runner.status().getTasksOrThrow("t").getRestarts());
    assertEquals(1, sleepers(arg));
  }

  @Test
  void aRestartedAgentReattachesInsteadOfStartingADuplicate() throws Exception {
    ScriptedManager leader = manager();
    Agent first = agent(leader.address());
    waitFor("session", () -> leader.opens.size() == 1);
    String nodeId = leader.opens.getFirst();
    String arg = uniqueSleep();
    Assignment a = assignment(restart(3), "sleep", arg);
    leader.assign(nodeId, List.of(a));
    waitFor("RUNNING", () -> has(leader, a, ClientStatus.CLIENT_STATUS_RUNNING));
    long startedAt = leader.latest(id(a)).getTasksOrThrow("t").getStartedAtMs();
    first.close();
    assertEquals(1, sleepers(arg), "closing the agent leaves the task running");

    // The restarted agent's time stands still until the test moves it: a task it wrongly took for
    // lost would wait for its restart delay, so the clock goes past that before the check.
    int before = leader.updates.size();
    ManualClock clock = new ManualClock(Instant.now());
    Agent second = agent(clock, leader.address());
    AllocationSupervisor supervisor = second.members().getFirst().supervisor();
    AllocationRunner recovered = supervisor.runner(id(a));
    assertNotNull(recovered, "re-attached from the data directory at start");
    waitFor("second session", () -> leader.opens.size() == 2);
    assertEquals(nodeId, leader.opens.get(1), "same node id after a restart");
    waitFor("status after the restart", () -> leader.updates.size() > before);
    waitFor("the managers' assignments applied after the restart", () -> supervisor.assignmentsApplied() > 0);
    waitFor("the re-attaching pass", () -> recovered.passes() > 0);
    clock.advance(Duration.ofSeconds(1)); // past the 100 ms restart delay, within 3 TTLs of manager silence
    awaitPassAfterNow(supervisor.runner(id(a)), WAIT);
    assertSame(recovered, supervisor.runner(id(a)), "the re-attached runner, not a second one");
    assertEquals(1, sleepers(arg));
    AllocationStatusUpdate u = recovered.status();
    assertEquals(ClientStatus.CLIENT_STATUS_RUNNING, u.getClientStatus());
    assertEquals(startedAt, u.getTasksOrThrow("t").getStartedAtMs());
    assertEquals(0, u.getTasksOrThrow("t").getRestarts());
  }

  @Test
  void fencingStopsTheTaskWhenNoManagerAnswersAndReportsItLater() throws Exception {
    ScriptedManager leader = manager();
    int port = leader.port();
    Agent agent = agent(leader.address());
    waitFor("session", () -> leader.opens.size() == 1);
    String nodeId = leader.opens.getFirst();
    String arg = uniqueSleep();
    Assignment a = assignment(restart(3).setDisconnect(DisconnectPolicy.newBuilder().setStopAfterMs(1000)),
        "sleep", arg);
    leader.assign(nodeId, List.of(a));
    waitFor("RUNNING", () -> has(leader, a, ClientStatus.CLIENT_STATUS_RUNNING));
    leader.close();

    var runner = agent.members().getFirst().supervisor().runner(id(a));
    waitFor("fenced", () -> runner.status().getClientStatus() == ClientStatus.CLIENT_STATUS_FAILED);
    assertTrue(runner.status().getDescription().startsWith("fenced: no manager for "),
        runner.status().getDescription());
    waitFor("process gone", () -> sleepers(arg) == 0);

    ScriptedManager back = track(new ScriptedManager(port));
    managers.add(back);
    back.assign(nodeId, List.of(a));
    waitFor("reported after the reconnect", () -> back.latest(id(a)) != null);
    assertEquals(ClientStatus.CLIENT_STATUS_FAILED, back.latest(id(a)).getClientStatus());
    assertTrue(back.latest(id(a)).getDescription().startsWith("fenced:"));
    // The status goes up at open, before the assignments arrive: wait until they are applied and
    // the allocation's runner (a new one, were it started again) has made a pass since.
    awaitAssignmentsApplied(agent);
    awaitPassAfterNow(agent.members().getFirst().supervisor().runner(id(a)), WAIT);
    assertSame(runner, agent.members().getFirst().supervisor().runner(id(a)), "no new runner");
    assertEquals(ClientStatus.CLIENT_STATUS_FAILED, runner.status().getClientStatus());
    assertEquals(0, sleepers(arg), "assignments of a fenced allocation do not start it again");
  }
}
