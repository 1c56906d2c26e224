package gantry.chaos.cluster;

import com.github.dockerjava.api.DockerClient;
import gantry.chaos.checker.AllocationChecker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;

/**
 * Agent containers (a1..aN) on the managers' network, each running {@code gantry agent
 * --driver exec} with a fixed address (PREFIX.(50+i)) and its data in the container's own
 * file system. The exec driver runs tasks as child processes inside the agent's container,
 * so a SIGKILL of the container ends the agent and its tasks together, as a machine crash
 * would. {@link #close()} removes exactly the containers this object created.
 */
public final class AgentFleet implements AutoCloseable {
  /** One agent: its node name, fixed address and container. */
  public record Agent(String name, String ip, GenericContainer<?> container) {}

  private final DockerClient docker = DockerClientFactory.instance().client();
  private final Map<String, Agent> agents = new LinkedHashMap<>();
  private final LongSupplier clock;
  private final Map<String, Long> killedAt = new ConcurrentHashMap<>();
  private final List<AllocationChecker.AgentRestart> restarts = new CopyOnWriteArrayList<>();

  private AgentFleet(LongSupplier clock) {
    this.clock = clock;
  }

  /**
   * Starts {@code n} agents pointed at every manager; returns once each logged its start.
   *
   * @param clock the run clock, for the times of kills and restarts
   */
  public static AgentFleet start(String image, ManagerCluster cluster, int n, String runId, LongSupplier clock)
      throws java.io.IOException, InterruptedException {
    AgentFleet fleet = new AgentFleet(clock);
    try {
      for (int i = 1; i <= n; i++) {
        String name = "a" + i;
        String ip = cluster.subnetPrefix() + "." + (50 + i);
        GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(image))
            .withImagePullPolicy(new NeverPull())
            .withNetwork(cluster.network())
            .withNetworkAliases(name)
            .withCreateContainerCmdModifier(cmd -> cmd.withIpv4Address(ip).withName("gantry-chaos-" + runId + "-" + name))
            .withEnv("JAVA_TOOL_OPTIONS", "-Xmx128m -XX:MaxDirectMemorySize=64m")
            .waitingFor(Wait.forLogMessage(".*gantry agent .* started.*", 1).withStartupTimeout(Duration.ofMinutes(3)));
        List<String> command = new java.util.ArrayList<>(List.of("agent", "--name", name, "--servers",
            String.join(",", cluster.grpcTargets()), "--driver", "exec", "--data-dir", "/data/" + name, "--cpu", "2000",
            "--memory", "1024"));
        if (cluster.pki() != null) {
          // the agent's certificate names it: a session opens only for the node its certificate names
          cluster.pki().issue("agent", name, null);
          command.addAll(cluster.pki().mount(c, name));
        }
        c.withCommand(command.toArray(String[]::new));
        fleet.agents.put(name, new Agent(name, ip, c));
      }
      Startables.deepStart(fleet.agents.values().stream().map(Agent::container).toList()).join();
      return fleet;
    } catch (RuntimeException | java.io.IOException | InterruptedException e) {
      fleet.close();
      throw e;
    }
  }

  public List<String> names() {
    return List.copyOf(agents.keySet());
  }

  public String ip(String name) {
    return agents.get(name).ip();
  }

  /** Agent {@code name} as one side of a network cut; it listens on no port, so an open path refuses the probe. */
  public Endpoint endpoint(String name) {
    Agent a = agents.get(name);
    return new Endpoint(name, a.ip(), ManagerCluster.GRPC_PORT, a.container());
  }

  /** Container id to agent name, for telling whose processes a host-side scan found. */
  public Map<String, String> containerIds() {
    Map<String, String> out = new LinkedHashMap<>();
    for (Agent a : agents.values()) {
      if (a.container().getContainerId() != null) out.put(a.container().getContainerId(), a.name());
    }
    return out;
  }

  /** SIGKILL of the whole container: the agent and every task it runs die at once. */
  public void kill(String name) {
    killedAt.put(name, clock.getAsLong());
    docker.killContainerCmd(agents.get(name).container().getContainerId()).withSignal("KILL").exec();
  }

  /** Starts a killed agent again on the same file system and address. */
  public void restart(String name) {
    Containers.startAgain(docker, agents.get(name).container().getContainerId(), name);
    Long killed = killedAt.remove(name);
    if (killed != null) restarts.add(new AllocationChecker.AgentRestart(name, killed, clock.getAsLong()));
  }

  /** Every kill and restart of an agent so far: an agent re-runs its saved allocations after one. */
  public List<AllocationChecker.AgentRestart> restarts() {
    return List.copyOf(restarts);
  }

  /** Writes each agent's container log to {@code dir}/NAME.log. */
  public void saveLogs(Path dir) {
    for (Agent a : agents.values()) Containers.saveLog(dir, a.name(), a.container());
  }

  @Override
  public void close() {
    for (Agent a : agents.values()) {
      try {
        a.container().stop();
      } catch (RuntimeException e) {
        // keep removing the others
      }
    }
  }
}
