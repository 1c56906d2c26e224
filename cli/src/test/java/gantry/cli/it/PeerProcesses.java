package gantry.cli.it;

import gantry.v1.ControlServiceGrpc;
import gantry.v1.GetLeaderRequest;
import gantry.v1.GetStateDigestRequest;
import gantry.v1.GetStateDigestResponse;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A cluster of manager peers, each a separate JVM running {@code java -jar gantry.jar server}
 * on loopback with free ports, its own data directory and its own log file. Peers can be
 * SIGKILLed and restarted on the same directory and ports.
 */
final class PeerProcesses implements AutoCloseable {
  record Peer(String id, int raftPort, int grpcPort, int httpPort, Path dataDir, Path log) {
    String grpc() {
      return "127.0.0.1:" + grpcPort;
    }
  }

  private final Path root;
  private final Map<String, Peer> peers = new LinkedHashMap<>();
  private final Map<String, Process> running = new LinkedHashMap<>();
  private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
  private final Path config;
  private java.util.function.Function<String, List<String>> peerFlags = id -> List.of();
  private gantry.client.ManagerCredentials credentials = gantry.client.ManagerCredentials.plaintext();

  PeerProcesses(Path root, int n, Map<String, String> settings) throws IOException {
    this.root = root;
    Files.createDirectories(root);
    // Logs outlive the test's temporary directory, so a failure can be read afterwards.
    Path logs = Path.of(System.getProperty("gantry.it.logs", root.toString()))
        .resolve(StackWalker.getInstance(StackWalker.Option.RETAIN_CLASS_REFERENCE).getCallerClass().getSimpleName()
            + "-" + System.currentTimeMillis());
    Files.createDirectories(logs);
    for (int i = 1; i <= n; i++) {
      String id = "m" + i;
      peers.put(id, new Peer(id, freePort(), freePort(), freePort(), root.resolve(id), logs.resolve(id + ".log")));
    }
    StringBuilder yaml = new StringBuilder();
    settings.forEach((k, v) -> yaml.append(k).append(": ").append(v).append('\n'));
    config = root.resolve("server.yaml");
    Files.writeString(config, yaml.toString());
  }

  private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

  /**
   * A port free right now and never handed out before in this JVM: the kernel may offer the
   * same ephemeral port twice in a row once its socket is closed, and a peer (Ratis exits the
   * process when its gRPC bind fails) must not get another's port.
   */
  static int freePort() throws IOException {
    while (true) {
      try (ServerSocket s = new ServerSocket(0)) {
        if (HANDED_OUT.add(s.getLocalPort())) return s.getLocalPort();
      }
    }
  }

  /** More flags for each peer's command line (its own certificate, say), by peer id. */
  PeerProcesses withPeerFlags(java.util.function.Function<String, List<String>> flags) {
    this.peerFlags = flags;
    return this;
  }

  /** What the test's own channels ({@link #stub}, {@link #awaitLeader}) present: TLS, a token. */
  PeerProcesses withCredentials(gantry.client.ManagerCredentials credentials) {
    this.credentials = credentials;
    return this;
  }

  List<Peer> peers() {
    return List.copyOf(peers.values());
  }

  Peer peer(String id) {
    return peers.get(id);
  }

  String addresses() {
    return String.join(",", peers.values().stream().map(Peer::grpc).toList());
  }

  /** The temporary directory ({@code java.io.tmpdir}) of peer {@code id}'s process. */
  Path tmpDir(String id) {
    return root.resolve(id + "-tmp");
  }

  void startAll() throws IOException {
    for (String id : peers.keySet()) start(id);
  }

  void start(String id) throws IOException {
    Peer p = peers.get(id);
    String peerList = String.join(",", peers.values().stream().map(q -> q.id() + "=127.0.0.1:" + q.raftPort()).toList());
    List<String> cmd = Gantry.command("server", "--id", id, "--data-dir", p.dataDir().toString(),
        "--raft-addr", "127.0.0.1:" + p.raftPort(), "--grpc-addr", p.grpc(),
        "--http-addr", "127.0.0.1:" + p.httpPort(), "--peers", peerList, "--config", config.toString());
    cmd = new ArrayList<>(cmd);
    // Each peer's temporary directory is its own, under the test's: what a peer leaves there is
    // seen by the test (tmpDir) and removed with the test's directory.
    Files.createDirectories(tmpDir(id));
    cmd.add(cmd.indexOf("-jar"), "-Djava.io.tmpdir=" + tmpDir(id));
    cmd.addAll(peerFlags.apply(id));
    Process proc = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(p.log().toFile())).start();
    running.put(id, proc);
  }

  /** The operating-system process id of a running peer. */
  long pid(String id) {
    Process proc = running.get(id);
    if (proc == null) throw new IllegalStateException("peer " + id + " is not running");
    return proc.pid();
  }

  /** SIGKILL: no shutdown hook, no flush. */
  void kill(String id) throws InterruptedException {
    Process proc = running.remove(id);
    if (proc == null) return;
    proc.destroyForcibly();
    proc.waitFor(10, TimeUnit.SECONDS);
  }

  void killAll() throws InterruptedException {
    for (String id : List.copyOf(running.keySet())) kill(id);
  }

  ControlServiceGrpc.ControlServiceBlockingStub stub(String id) {
    return ControlServiceGrpc.newBlockingStub(channel(id)).withDeadlineAfter(15, TimeUnit.SECONDS);
  }

  /** A channel to the peer's gRPC port (plaintext unless {@link #withCredentials}), kept until {@link #close}. */
  ManagedChannel channel(String id) {
    return channels.computeIfAbsent(id, k -> credentials.channel(peers.get(k).grpc(), false));
  }

  /** The id of the leader once one is elected and every running peer answers and knows it. */
  String awaitLeader(Duration timeout) {
    Instant end = Instant.now().plus(timeout);
    while (Instant.now().isBefore(end)) {
      java.util.Set<String> seen = new java.util.HashSet<>();
      try {
        for (String id : running.keySet()) {
          seen.add(stub(id).withDeadlineAfter(2, TimeUnit.SECONDS)
              .getLeader(GetLeaderRequest.getDefaultInstance()).getLeader().getId());
        }
        String leader = seen.iterator().next();
        if (seen.size() == 1 && running.containsKey(leader)) return leader;
      } catch (RuntimeException e) {
        // not up yet, or no leader yet
      }
      sleep(100);
    }
    throw new AssertionError("no leader known to every peer within " + timeout + "; logs beside " + peers.values().iterator().next().log());
  }

  GetStateDigestResponse digest(String id) {
    return stub(id).getStateDigest(GetStateDigestRequest.getDefaultInstance());
  }

  /** Waits until every running peer reports the same state digest; returns it. */
  String awaitEqualDigests(Duration timeout) {
    Instant end = Instant.now().plus(timeout);
    List<String> last = List.of();
    while (Instant.now().isBefore(end)) {
      List<String> digests = new ArrayList<>();
      try {
        for (String id : running.keySet()) digests.add(digest(id).getDigest());
        if (digests.stream().distinct().count() == 1) return digests.getFirst();
      } catch (RuntimeException e) {
        digests.add(e.toString());
      }
      last = digests;
      sleep(200);
    }
    throw new AssertionError("digests still differ after " + timeout + ": " + last);
  }

  /** Waits for {@code done}; a condition that throws (a read during an election) counts as not yet. */
  static void await(String what, Duration timeout, BooleanSupplier done) {
    Instant end = Instant.now().plus(timeout);
    RuntimeException last = null;
    while (true) {
      try {
        if (done.getAsBoolean()) return;
      } catch (RuntimeException e) {
        last = e;
      }
      if (Instant.now().isAfter(end)) {
        throw new AssertionError("timed out after " + timeout + " waiting for " + what
            + (last == null ? "" : "; last error: " + last));
      }
      sleep(200);
    }
  }

  static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  String log(String id) throws IOException {
    Path log = peers.get(id).log();
    return Files.exists(log) ? Files.readString(log) : "";
  }

  @Override
  public void close() throws InterruptedException {
    try {
      channels.values().forEach(ManagedChannel::shutdownNow);
    } finally {
      killAll(); // whatever happened to the channels, no peer outlives the test
    }
  }
}
