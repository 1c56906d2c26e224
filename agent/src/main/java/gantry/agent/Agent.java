package gantry.agent;

import gantry.agent.driver.DriverException;
import gantry.agent.driver.TaskDriver;
import gantry.agent.driver.docker.DockerDriver;
import gantry.agent.driver.exec.ExecDriver;
import gantry.agent.driver.sim.SimDriver;
import gantry.agent.health.HealthProber;
import gantry.agent.health.NetworkProber;
import gantry.agent.runner.AllocationRunner;
import gantry.agent.runner.AllocationStore;
import gantry.agent.runner.AllocationSupervisor;
import gantry.agent.runner.DriverSet;
import gantry.agent.session.AgentSession;
import gantry.agent.session.GrpcTransport;
import gantry.agent.session.ManagerTransport;
import gantry.v1.Node;
import gantry.v1.NodeStatus;
import gantry.v1.Resources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wires an agent: node identity and facts, drivers, the allocation supervisor (re-attaching saved
 * allocations), the session with the managers, and the fencing timer. {@link #simulate} runs many
 * simulated nodes in one process on a few transports (one channel per manager for every 500 nodes) and one timer thread.
 */
public final class Agent implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Agent.class);
  private static final Duration FENCING_CHECK = Duration.ofMillis(500);

  /** One node: its session and its allocations. */
  public record Member(String name, AgentSession session, AllocationSupervisor supervisor) {}

  /**
   * Simulated nodes per transport: each node's session is a stream, and a manager serves at most
   * {@code max_streams_per_connection} (1,000 by default) on one connection; more would wait for a
   * free stream without a word, registrations and heartbeats included.
   */
  static final int SIMULATED_PER_TRANSPORT = 500;

  private final List<Member> members;
  private final List<ManagerTransport> transports;
  private final Timers timers;
  private final DriverSet drivers;
  private final CountDownLatch closed = new CountDownLatch(1);

  private Agent(List<Member> members, List<ManagerTransport> transports, Timers timers, DriverSet drivers) {
    this.members = List.copyOf(members);
    this.transports = List.copyOf(transports);
    this.timers = timers;
    this.drivers = drivers;
  }

  /** Starts one agent with the real gRPC transport. */
  public static Agent start(AgentConfig config) {
    return start(config, new GrpcTransport(), new NetworkProber(), Clock.systemUTC());
  }

  /** Starts one agent with the given transport, prober and clock (tests). */
  public static Agent start(AgentConfig config, ManagerTransport transport, HealthProber prober, Clock clock) {
    try {
      Files.createDirectories(config.dataDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create data directory " + config.dataDir(), e);
    }
    DriverSet drivers = drivers(config);
    String id = NodeIdentity.loadOrCreate(config.dataDir());
    NodeFacts facts = NodeFacts.detect(config.cpuMillicores(), config.memoryMiB());
    Node node = node(config.name(), id, facts, config, drivers);
    Timers timers = Timers.start();
    Member m = member(config, node, drivers, AllocationStore.in(config.dataDir()), transport, prober, clock,
        timers, true);
    log.info("agent {} (node {}) started: drivers {}, managers {}", config.name(), id, drivers.advertised(),
        config.servers());
    return new Agent(List.of(m), List.of(transport), timers, drivers);
  }

  /**
   * Starts {@code n} simulated nodes named {@code NAME-1..NAME-n}, each with its own session and
   * allocations, sharing one sim driver and one timer thread, and one gRPC channel per manager for
   * every {@value #SIMULATED_PER_TRANSPORT} nodes. Their ids derive from their names, so a
   * restarted simulation is the same nodes; nothing is saved.
   */
  public static Agent simulate(AgentConfig config, int n) {
    return simulate(config, n, GrpcTransport::new);
  }

  /** As {@link #simulate(AgentConfig, int)}, over transports made by {@code transports} (e.g. TLS {@link GrpcTransport}s). */
  public static Agent simulate(AgentConfig config, int n, java.util.function.Supplier<? extends ManagerTransport> transports) {
    if (n < 1) {
      throw new IllegalArgumentException("simulate needs at least one node, got " + n);
    }
    SimDriver sim = new SimDriver();
    DriverSet drivers = DriverSet.simulated(sim, List.of("docker", "exec"));
    NodeFacts facts = NodeFacts.detect(config.cpuMillicores(), config.memoryMiB());
    Timers timers = Timers.start();
    HealthProber prober = new NetworkProber();
    // Thousands of simulated allocations: a sim task is watched, not polled (only one with a check
    // is, every 2 s), and a pass for metrics every 10 s instead of 5.
    AgentConfig c = config.runner().equals(AllocationRunner.Settings.DEFAULT)
        ? config.withRunner(new AllocationRunner.Settings(Duration.ofSeconds(2), Duration.ofSeconds(10),
            Duration.ofSeconds(1)))
        : config;
    List<Member> members = new ArrayList<>(n);
    List<ManagerTransport> made = new ArrayList<>();
    ManagerTransport transport = null;
    for (int i = 1; i <= n; i++) {
      if ((i - 1) % SIMULATED_PER_TRANSPORT == 0) {
        transport = transports.get();
        made.add(transport);
      }
      String name = config.name() + "-" + i;
      NodeFacts f = new NodeFacts(facts.os(), facts.arch(), name, facts.cpuMillicores(), facts.memoryMiB());
      Node node = node(name, NodeIdentity.forSimulated(name), f, c, drivers);
      members.add(member(c, node, drivers, AllocationStore.none(), transport, prober, Clock.systemUTC(),
          timers, false));
    }
    log.info("simulating {} nodes against {} over {} connection(s) to each", n, config.servers(), made.size());
    return new Agent(members, made, timers, drivers);
  }

  private static Member member(AgentConfig config, Node node, DriverSet drivers, AllocationStore store,
      ManagerTransport transport, HealthProber prober, Clock clock, Timers timers, boolean recover) {
    AllocationSupervisor supervisor = new AllocationSupervisor(drivers, store, clock, prober, config.runner());
    AgentSession.Settings s = AgentSession.Settings.of(config.servers());
    s = new AgentSession.Settings(s.servers(), config.heartbeatTtl(), config.heartbeatInterval(),
        s.registerTimeout(), s.initialBackoff(), s.maxBackoff(), s.flushDelay());
    AgentSession session = new AgentSession(s, node, transport, timers.sessions(), clock, supervisor);
    supervisor.setSink(session::report);
    if (recover) {
      supervisor.recover();
    }
    timers.fencing().scheduleWithFixedDelay(supervisor.fencingCheck(session::lastContact), FENCING_CHECK.toMillis(),
        FENCING_CHECK.toMillis(), TimeUnit.MILLISECONDS);
    session.start();
    return new Member(node.getName(), session, supervisor);
  }

  /**
   * The process's two timer threads: the sessions' (heartbeats, status flushes, reconnects) and
   * the fencing checks'. A fencing check waits for its supervisor's lock, which assignments hold
   * while they are applied; on the sessions' thread it held up every session's heartbeats (the
   * scheduler benchmark's 10,000 simulated nodes went down together, a TTL after registering).
   */
  record Timers(ScheduledExecutorService sessions, ScheduledExecutorService fencing) {
    static Timers start() {
      return new Timers(timer("gantry-agent-timer"), timer("gantry-agent-fencing"));
    }

    void shutdownNow() {
      sessions.shutdownNow();
      fencing.shutdownNow();
    }
  }

  private static ScheduledExecutorService timer(String name) {
    return Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, name);
      t.setDaemon(true);
      return t;
    });
  }

  private static DriverSet drivers(AgentConfig config) {
    if (config.driver().equals("sim")) {
      return DriverSet.simulated(new SimDriver(), List.of("docker", "exec"));
    }
    List<TaskDriver> list = new ArrayList<>();
    try {
      list.add(DockerDriver.connect());
    } catch (DriverException e) {
      log.info("docker driver unavailable: {}", e.getMessage());
      if (config.driver().equals("docker")) {
        log.warn("--driver docker was asked for but the engine does not answer; tasks without a driver will fail");
      }
    }
    list.add(new ExecDriver(config.dataDir().resolve("exec")));
    return DriverSet.of(list, config.driver());
  }

  private static Node node(String name, String id, NodeFacts facts, AgentConfig config, DriverSet drivers) {
    return Node.newBuilder()
        .setId(id)
        .setName(name)
        .setAddress(config.advertise().isEmpty() ? facts.hostname() : config.advertise())
        .setStatus(NodeStatus.NODE_STATUS_INITIALIZING)
        .setEligible(true)
        .setCapacity(Resources.newBuilder().setCpu(facts.cpuMillicores()).setMemory(facts.memoryMiB()))
        .putAllAttributes(facts.attributes())
        .putAllLabels(config.labels())
        .addAllDrivers(drivers.advertised())
        .build();
  }

  /** The nodes this agent runs (one, or n when simulating). */
  public List<Member> members() {
    return members;
  }

  /** Blocks until {@link #close()}. */
  public void awaitTermination() throws InterruptedException {
    closed.await();
  }

  /** Ends the sessions and the runners' loops; tasks keep running for the next agent to re-attach. */
  @Override
  public void close() {
    if (closed.getCount() == 0) {
      return;
    }
    for (Member m : members) {
      m.session().close();
    }
    timers.shutdownNow();
    for (Member m : members) {
      m.supervisor().detachAll(Duration.ofSeconds(10));
    }
    transports.forEach(ManagerTransport::close);
    drivers.close();
    closed.countDown();
  }
}
