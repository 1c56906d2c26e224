package gantry.cli.command;

import gantry.agent.Agent;
import gantry.agent.AgentConfig;
import gantry.agent.driver.DriverException;
import gantry.agent.driver.docker.DockerDriver;
import gantry.agent.runner.AllocationRunner;
import gantry.node.ManagerPeer;
import gantry.node.config.HostPorts;
import gantry.node.config.ServerConfig;
import gantry.node.config.ServerConfigLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gantry dev}: a single-peer manager and one agent in this process, state in a temporary
 * directory, to try Gantry on one machine. Nothing outlives it: on exit the agent stops its tasks
 * (unlike {@code gantry agent}, which leaves them for the next agent; here the state that would
 * re-attach them is deleted), then both close and the directory is removed.
 */
@Command(name = "dev", mixinStandardHelpOptions = true,
    description = "Run one manager and one agent in this process with state in a temporary directory (deleted on exit).")
public final class DevCommand implements Callable<Integer> {
  private static final Duration TASK_STOP_WAIT = Duration.ofSeconds(15);

  @Option(names = "--grpc-addr", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:4647",
      description = "gRPC API for the CLI and the agent (default ${DEFAULT-VALUE}).")
  String grpcAddr;

  @Option(names = "--raft-addr", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:4648",
      description = "Raft endpoint of the single peer (default ${DEFAULT-VALUE}); change it with --grpc-addr to run two.")
  String raftAddr;

  @Option(names = "--driver", paramLabel = "docker|exec|sim",
      description = "Driver for tasks that name none (default: docker if the engine answers, else exec).")
  String driver;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws IOException, InterruptedException {
    HostPorts.check("--grpc-addr", grpcAddr, true); // ConfigException -> exit 2
    HostPorts.check("--raft-addr", raftAddr, false);
    if (driver != null && !AgentCommand.DRIVERS.contains(driver)) {
      throw Failure.badInput("--driver: must be docker, exec or sim, got \"" + driver + "\"");
    }
    Path tmp = Files.createTempDirectory("gantry-dev-");
    Running running = new Running(tmp);
    try {
      ServerConfig config = ServerConfigLoader.load(null, Map.of("id", "dev", "data_dir", tmp.resolve("server").toString(),
          "grpc_addr", grpcAddr, "http_addr", "", "raft_addr", raftAddr));
      running.peer = ManagerPeer.start(config);
      String chosen = driver != null ? driver : detectDriver();
      running.agent = Agent.start(AgentConfig.of("dev", List.of(running.peer.grpcAddress()), tmp.resolve("agent"))
          .withDriver(chosen));
      Runtime.getRuntime().addShutdownHook(new Thread(running::close, "gantry-dev-shutdown"));
      var out = spec.commandLine().getOut();
      out.printf("gantry dev started: manager %s, agent \"dev\" (driver %s), state in %s (deleted on exit)%n",
          running.peer.grpcAddress(), chosen, tmp);
      out.printf("Try it:%n  export GANTRY_ADDR=%s%n  gantry job run examples/web.yaml%n  gantry job status web%n",
          running.peer.grpcAddress());
      out.println("Press Ctrl-C to stop.");
      out.flush();
    } catch (IOException | RuntimeException e) {
      running.close();
      throw e;
    }
    running.peer.awaitTermination();
    return ServerCommand.exitStatus(running.peer, spec, "gantry dev");
  }

  // The agent would fall back to exec by itself, but with "docker" as the default driver tasks
  // that name no driver would then fail; asking the engine first makes the default one that works.
  private static String detectDriver() {
    try {
      DockerDriver.connect().close();
      return "docker";
    } catch (DriverException e) {
      return "exec";
    }
  }

  /** What dev started, closed in reverse order by the shutdown hook or a failed start. */
  private static final class Running {
    private final Path dir;
    private volatile ManagerPeer peer;
    private volatile Agent agent;
    private boolean closed;

    Running(Path dir) {
      this.dir = dir;
    }

    synchronized void close() {
      if (closed) return;
      closed = true;
      if (agent != null) {
        stopTasks(agent);
        agent.close();
      }
      if (peer != null) peer.close();
      deleteTree(dir);
    }
  }

  // Asks every allocation to stop its tasks and forget them, then waits a bounded time: a task that
  // ignores its stop signal must not hold the terminal forever.
  static void stopTasks(Agent agent) {
    List<AllocationRunner> runners = new ArrayList<>();
    for (Agent.Member member : agent.members()) {
      for (var status : member.supervisor().currentStatus()) {
        AllocationRunner runner = member.supervisor().runner(status.getAllocationId());
        if (runner == null) continue;
        runner.stop("gantry dev stopped", false, true);
        runners.add(runner);
      }
    }
    long deadline = System.nanoTime() + TASK_STOP_WAIT.toNanos();
    for (AllocationRunner runner : runners) {
      try {
        runner.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  static void deleteTree(Path dir) {
    if (!Files.exists(dir)) return;
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      System.err.println("gantry dev: could not delete " + dir + ": " + e.getMessage());
    }
  }
}
