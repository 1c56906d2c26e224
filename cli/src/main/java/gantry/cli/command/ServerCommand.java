package gantry.cli.command;

import gantry.node.ManagerPeer;
import gantry.node.config.ServerConfig;
import gantry.node.config.ServerConfigLoader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code gantry server}: runs one manager peer until the process is told to stop (exit 0 after
 * SIGTERM closed it; {@value #EXIT_RAFT_LOST} if its Raft server stopped under it). Flags override
 * the YAML file, which overrides the defaults; the node module owns the rules for each value.
 */
@Command(name = "server", mixinStandardHelpOptions = true, description = "Run a manager peer (Raft member, API, scheduler when leader).")
public final class ServerCommand implements Callable<Integer> {
  /**
   * The exit status of a peer whose Raft server Ratis closed on its own: a restart recovers it,
   * and the systemd unit's {@code Restart=on-failure} does that.
   */
  static final int EXIT_RAFT_LOST = 3;

  @Option(names = "--id", paramLabel = "ID", description = "This peer's id; a key of --peers (default m1).")
  String id;

  @Option(names = "--data-dir", paramLabel = "DIR", description = "Raft log, state and snapshots (default gantry-data/ID).")
  String dataDir;

  @Option(names = "--raft-addr", paramLabel = "HOST:PORT", description = "Raft traffic between peers (default: this peer's entry in --peers, else 127.0.0.1:4648).")
  String raftAddr;

  @Option(names = "--grpc-addr", paramLabel = "HOST:PORT", description = "gRPC API for users and agents (default 127.0.0.1:4647).")
  String grpcAddr;

  @Option(names = "--http-addr", paramLabel = "HOST:PORT", description = "HTTP JSON API and /metrics; empty disables it (default 127.0.0.1:4646).")
  String httpAddr;

  @Option(names = "--peers", paramLabel = "ID=HOST:PORT[,...]", description = "Every peer of the cluster and its Raft address.")
  String peers;

  @Option(names = "--config", paramLabel = "FILE.yaml", description = "Settings file with the same keys as the flags (data_dir, raft_addr, ...).")
  Path config;

  @Option(names = "--tls-ca", paramLabel = "FILE", description = "The cluster CA (ca.pem); with --tls-cert and --tls-key turns on mutual TLS on gRPC, Raft and HTTPS.")
  String tlsCa;

  @Option(names = "--tls-cert", paramLabel = "FILE", description = "This peer's server-role certificate (gantry tls cert create --role server).")
  String tlsCert;

  @Option(names = "--tls-key", paramLabel = "FILE", description = "The key of --tls-cert.")
  String tlsKey;

  @Option(names = "--acl", description = "Deny by default: every request needs a token whose policies allow it (gantry acl bootstrap).")
  boolean acl;

  @Spec
  CommandSpec spec;

  /** The flags in the node module's key names; absent flags are left out so the file or defaults apply. */
  Map<String, String> flags() {
    Map<String, String> flags = new LinkedHashMap<>();
    flags.put("id", id);
    flags.put("data_dir", dataDir);
    flags.put("raft_addr", raftAddr);
    flags.put("grpc_addr", grpcAddr);
    flags.put("http_addr", httpAddr);
    flags.put("peers", peers);
    flags.put("tls_ca", tlsCa);
    flags.put("tls_cert", tlsCert);
    flags.put("tls_key", tlsKey);
    if (acl) flags.put("acl", "true");
    flags.values().removeIf(v -> v == null);
    return flags;
  }

  @Override
  public Integer call() throws IOException, InterruptedException {
    ServerConfig config = ServerConfigLoader.load(this.config, flags()); // ConfigException -> exit 2
    ManagerPeer peer = ManagerPeer.start(config);
    Runtime.getRuntime().addShutdownHook(new Thread(peer::close, "gantry-shutdown"));
    var out = spec.commandLine().getOut();
    out.printf("gantry server %s started: grpc %s, raft %s%n", config.id(), config.grpcAddress(), config.raftAddress());
    out.flush();
    peer.awaitTermination();
    return exitStatus(peer, spec, "gantry server " + config.id());
  }

  /** 0 for a peer that was closed, {@link #EXIT_RAFT_LOST} (and why, on stderr) for one that stopped on its own. */
  static int exitStatus(ManagerPeer peer, CommandSpec spec, String what) {
    if (peer.stoppedBecause().isEmpty()) return 0;
    spec.commandLine().getErr().printf("%s stopped: %s%n", what, peer.stoppedBecause().get());
    return EXIT_RAFT_LOST;
  }
}
