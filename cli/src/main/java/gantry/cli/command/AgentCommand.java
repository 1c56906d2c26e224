package gantry.cli.command;

import gantry.agent.Agent;
import gantry.agent.AgentConfig;
import gantry.client.ControlClient;
import gantry.agent.session.GrpcTransport;
import gantry.security.tls.HangupReload;
import gantry.security.tls.TlsFiles;
import gantry.security.tls.TlsMaterial;
import java.nio.file.Path;
import java.util.Optional;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gantry agent}: runs the worker of one node (or, with {@code --simulate N}, N simulated
 * nodes) until the process is told to stop. Every flag is checked before anything starts, so a
 * typo exits 2 naming the flag instead of leaving a half-started agent.
 */
@Command(name = "agent", mixinStandardHelpOptions = true,
    description = {"Run an agent: registers this machine as a node with the managers and runs the allocations they place on it.",
        "Stopping the agent leaves its tasks running; the next agent started on the same --data-dir re-attaches to them."})
public final class AgentCommand implements Callable<Integer> {
  static final List<String> DRIVERS = List.of("docker", "exec", "sim");

  @Option(names = "--name", required = true, paramLabel = "NAME", description = "The node's name, unique in the cluster.")
  String name;

  @Option(names = "--servers", required = true, paramLabel = "HOST:PORT[,HOST:PORT...]",
      description = "The managers' gRPC addresses; any one will do, the agent finds the leader.")
  String servers;

  @Option(names = "--data-dir", paramLabel = "DIR",
      description = "Node id, allocation files and exec tasks (default gantry-data/agents/NAME).")
  Path dataDir;

  @Option(names = "--driver", paramLabel = "docker|exec|sim", defaultValue = "docker",
      description = "Driver for tasks that name none (default ${DEFAULT-VALUE}); sim fakes every task.")
  String driver;

  @Option(names = "--label", paramLabel = "KEY=VALUE",
      description = "A label for constraints and spread (label.KEY); repeat for more.")
  List<String> labels;

  @Option(names = "--cpu", paramLabel = "MILLICORES", description = "CPU to offer (default: processors x 1000).")
  int cpu;

  @Option(names = "--memory", paramLabel = "MB", description = "Memory to offer in MiB (default: total memory).")
  int memory;

  @Option(names = "--simulate", paramLabel = "N",
      description = "Run N simulated nodes NAME-1..NAME-N in this process (load tests); nothing is saved.")
  Integer simulate;

  @Option(names = "--advertise", paramLabel = "HOST",
      description = "The host or IP clients reach this node's tasks at, in service endpoints (default: its hostname).")
  String advertise = "";

  @Option(names = "--metrics-interval", paramLabel = "DURATION", defaultValue = "5s",
      description = "How often each allocation's CPU and memory use is sampled and reported (default 5s; 1s..60s).")
  String metricsInterval;

  @Option(names = "--http-addr", paramLabel = "HOST:PORT",
      description = "Serve /metrics (Prometheus text: the allocations' CPU and memory, the JVM's) on this address.")
  String httpAddr = "";

  @Option(names = "--tls-ca", paramLabel = "FILE",
      description = "The cluster CA (ca.pem); with --tls-cert and --tls-key: mutual TLS to the managers and HTTPS on --http-addr.")
  String tlsCa;

  @Option(names = "--tls-cert", paramLabel = "FILE",
      description = "This agent's certificate (gantry tls cert create --role agent --name NAME, the same NAME as --name).")
  String tlsCert;

  @Option(names = "--tls-key", paramLabel = "FILE", description = "The key of --tls-cert.")
  String tlsKey;

  @Spec
  CommandSpec spec;

  /**
   * The TLS files, if the three flags are given.
   *
   * @throws Failure (exit 2) naming the missing flag when only some are given
   */
  public Optional<TlsFiles> tlsFiles() {
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put("--tls-ca", tlsCa);
    flags.put("--tls-cert", tlsCert);
    flags.put("--tls-key", tlsKey);
    long given = flags.values().stream().filter(v -> v != null && !v.isBlank()).count();
    if (given == 0) return Optional.empty();
    for (var flag : flags.entrySet()) {
      if (flag.getValue() == null || flag.getValue().isBlank()) {
        throw Failure.badInput(flag.getKey() + ": missing; --tls-ca, --tls-cert and --tls-key turn on mutual TLS together");
      }
    }
    if (simulate != null) {
      throw Failure.badInput("--simulate: not with --tls-cert, whose certificate names one node and the managers "
          + "admit no other (simulated nodes are NAME-1..NAME-N)");
    }
    return Optional.of(new TlsFiles(Path.of(tlsCa), Path.of(tlsCert), Path.of(tlsKey)));
  }

  /** Reads the TLS files. @throws Failure (exit 2) naming the file and what is wrong with it */
  private static TlsMaterial load(TlsFiles files) {
    try {
      return TlsMaterial.load(files);
    } catch (java.io.IOException | java.security.GeneralSecurityException e) {
      String reason = e instanceof java.nio.file.NoSuchFileException ? e.getMessage() + ": no such file" : e.getMessage();
      throw Failure.badInput("--tls-ca/--tls-cert/--tls-key: " + reason);
    }
  }

  /**
   * The agent configuration these flags describe.
   *
   * @throws Failure (exit 2) naming the flag with a bad value
   */
  public AgentConfig config() {
    if (name.isBlank()) throw Failure.badInput("--name: must not be empty");
    List<String> managers;
    try {
      managers = ControlClient.parseAddresses("--servers", servers);
    } catch (IllegalArgumentException e) {
      throw Failure.badInput(e.getMessage());
    }
    if (!DRIVERS.contains(driver)) {
      throw Failure.badInput("--driver: must be docker, exec or sim, got \"" + driver + "\"");
    }
    if (cpu < 0) throw Failure.badInput("--cpu: must be >= 0 millicores (0 = detect), got " + cpu);
    if (memory < 0) throw Failure.badInput("--memory: must be >= 0 MiB (0 = detect), got " + memory);
    if (simulate != null && simulate < 1) throw Failure.badInput("--simulate: must be at least 1, got " + simulate);
    if (advertise.contains(":") && !advertise.startsWith("[")) {
      throw Failure.badInput("--advertise: a host or IP without a port, got \"" + advertise + "\"");
    }
    java.time.Duration every;
    try {
      every = gantry.spec.Durations.parse("--metrics-interval", metricsInterval);
    } catch (gantry.spec.SpecException e) {
      throw Failure.badInput(e.getMessage());
    }
    if (every.compareTo(java.time.Duration.ofSeconds(1)) < 0 || every.compareTo(java.time.Duration.ofSeconds(60)) > 0) {
      throw Failure.badInput("--metrics-interval: must be within 1s..60s, got " + metricsInterval);
    }
    Path dir = dataDir != null ? dataDir : Path.of("gantry-data", "agents", name);
    try {
      return AgentConfig.of(name, managers, dir).withDriver(driver).withLabels(parseLabels(labels == null ? List.of() : labels))
          .withResources(cpu, memory).withAdvertise(advertise)
          .withRunner(new gantry.agent.runner.AllocationRunner.Settings(
              gantry.agent.runner.AllocationRunner.Settings.DEFAULT.pollInterval(), every,
              gantry.agent.runner.AllocationRunner.Settings.DEFAULT.stopGrace()));
    } catch (IllegalArgumentException e) {
      // The checks above should leave nothing for the record to refuse; if it does, it is still input.
      throw Failure.badInput(e.getMessage());
    }
  }

  static Map<String, String> parseLabels(List<String> labels) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String label : labels) {
      int eq = label.indexOf('=');
      if (eq <= 0) throw Failure.badInput("--label: expected key=value, got \"" + label + "\"");
      String key = label.substring(0, eq).strip();
      if (key.isEmpty()) throw Failure.badInput("--label: expected key=value, got \"" + label + "\"");
      if (out.putIfAbsent(key, label.substring(eq + 1).strip()) != null) {
        throw Failure.badInput("--label: " + key + " given twice");
      }
    }
    return out;
  }

  @Override
  public Integer call() throws InterruptedException {
    AgentConfig config = config();
    java.net.InetSocketAddress metricsAt = null;
    if (!httpAddr.isEmpty()) {
      try {
        metricsAt = gantry.node.config.HostPorts.parse(gantry.node.config.HostPorts.check("--http-addr", httpAddr, true));
      } catch (gantry.node.config.ConfigException e) {
        throw Failure.badInput(e.getMessage());
      }
    }
    Optional<TlsMaterial> tls = tlsFiles().map(AgentCommand::load);
    java.util.function.Supplier<GrpcTransport> transports = () -> tls.map(GrpcTransport::new).orElseGet(GrpcTransport::new);
    Agent agent = simulate == null
        ? Agent.start(config, transports.get(), new gantry.agent.health.NetworkProber(), java.time.Clock.systemUTC())
        : Agent.simulate(config, simulate, transports);
    tls.ifPresent(HangupReload::register); // SIGHUP reloads the files for the sessions and /metrics
    gantry.agent.metrics.MetricsServer metrics = null;
    if (metricsAt != null) {
      try {
        metrics = gantry.agent.metrics.MetricsServer.start(metricsAt, agent, tls);
      } catch (java.io.IOException e) {
        agent.close();
        throw Failure.failed(e.getMessage());
      }
    }
    gantry.agent.metrics.MetricsServer served = metrics;
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      if (served != null) served.close();
      agent.close();
    }, "gantry-agent-shutdown"));
    var out = spec.commandLine().getOut();
    if (simulate == null) {
      out.printf("gantry agent %s started: node %s, driver %s, managers %s, data dir %s%s%n", config.name(),
          agent.members().getFirst().session().nodeId(), config.driver(), String.join(",", config.servers()),
          config.dataDir(), metrics == null ? "" : ", metrics on http" + (tls.isPresent() ? "s" : "") + "://" + httpAddr + "/metrics");
    } else {
      out.printf("gantry agent simulating %d nodes %s-1..%s-%d: managers %s%n", simulate, config.name(), config.name(),
          simulate, String.join(",", config.servers()));
    }
    out.flush();
    agent.awaitTermination();
    return 0;
  }
}
