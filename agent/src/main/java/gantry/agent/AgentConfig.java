package gantry.agent;

import gantry.agent.runner.AllocationRunner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What an agent is started with ({@code gantry agent ...}).
 *
 * @param name the node's name
 * @param servers manager gRPC addresses, {@code host:port}, tried in turn
 * @param dataDir where the node id, the allocation files and the exec tasks live
 * @param driver the driver for tasks that name none: docker | exec; {@code sim} runs every task
 *     with the simulated driver (the node still advertises docker and exec)
 * @param labels operator labels ({@code --label key=value})
 * @param cpuMillicores CPU capacity to advertise; 0 = detect (processors x 1000)
 * @param memoryMiB memory capacity to advertise; 0 = detect (/proc/meminfo)
 * @param heartbeatTtl the TTL to assume when the managers give none
 * @param heartbeatInterval how often to heartbeat; zero = TTL/3
 * @param runner the allocation runner's timings
 * @param advertise the host clients reach this node's tasks at (service endpoints); empty = its
 *     hostname
 */
public record AgentConfig(String name, List<String> servers, Path dataDir, String driver, Map<String, String> labels,
    int cpuMillicores, int memoryMiB, Duration heartbeatTtl, Duration heartbeatInterval,
    AllocationRunner.Settings runner, String advertise) {

  public AgentConfig {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(dataDir, "dataDir");
    servers = List.copyOf(servers);
    if (servers.isEmpty()) {
      throw new IllegalArgumentException("at least one server address is required (--servers host:port,...)");
    }
    driver = driver == null || driver.isBlank() ? "docker" : driver;
    if (!List.of("docker", "exec", "sim").contains(driver)) {
      throw new IllegalArgumentException("driver must be docker, exec or sim, got '" + driver + "'");
    }
    labels = Map.copyOf(labels == null ? Map.of() : labels);
    if (cpuMillicores < 0 || memoryMiB < 0) {
      throw new IllegalArgumentException("cpu and memory must be >= 0 (0 = detect)");
    }
    heartbeatTtl = heartbeatTtl == null ? Duration.ofSeconds(3) : heartbeatTtl;
    heartbeatInterval = heartbeatInterval == null ? Duration.ZERO : heartbeatInterval;
    runner = runner == null ? AllocationRunner.Settings.DEFAULT : runner;
    advertise = advertise == null ? "" : advertise.strip();
  }

  public AgentConfig withAdvertise(String host) {
    return new AgentConfig(name, servers, dataDir, driver, labels, cpuMillicores, memoryMiB, heartbeatTtl,
        heartbeatInterval, runner, host);
  }

  /** Defaults for everything but the name, the managers and the data directory. */
  public static AgentConfig of(String name, List<String> servers, Path dataDir) {
    return new AgentConfig(name, servers, dataDir, "docker", Map.of(), 0, 0, null, null, null, "");
  }

  public AgentConfig withDriver(String d) {
    return new AgentConfig(name, servers, dataDir, d, labels, cpuMillicores, memoryMiB, heartbeatTtl,
        heartbeatInterval, runner, advertise);
  }

  public AgentConfig withLabels(Map<String, String> l) {
    return new AgentConfig(name, servers, dataDir, driver, l, cpuMillicores, memoryMiB, heartbeatTtl,
        heartbeatInterval, runner, advertise);
  }

  public AgentConfig withResources(int cpu, int memory) {
    return new AgentConfig(name, servers, dataDir, driver, labels, cpu, memory, heartbeatTtl, heartbeatInterval,
        runner, advertise);
  }

  public AgentConfig withRunner(AllocationRunner.Settings r) {
    return new AgentConfig(name, servers, dataDir, driver, labels, cpuMillicores, memoryMiB, heartbeatTtl,
        heartbeatInterval, r, advertise);
  }

  public AgentConfig withHeartbeat(Duration ttl, Duration interval) {
    return new AgentConfig(name, servers, dataDir, driver, labels, cpuMillicores, memoryMiB, ttl, interval, runner, advertise);
  }
}
