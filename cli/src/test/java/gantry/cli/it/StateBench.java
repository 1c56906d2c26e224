package gantry.cli.it;

import gantry.v1.GetJobRequest;
import gantry.v1.RegisterJobRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The state benchmark behind scripts/bench/state.sh: starts its own 3-peer cluster of gantry
 * processes on loopback and prints one {@code RESULT name=value} line per figure.
 *
 * <ul>
 *   <li>registrations/s and p50/p99 latency with 1, 16 and 64 concurrent clients (each a
 *       virtual thread issuing blocking RegisterJob calls of new jobs, spread over the peers);
 *   <li>failover: SIGKILL of the leader to the first successful write, median of 5;
 *   <li>cold restart: SIGKILL of all peers, start, first linearizable read (the client connecting
 *       again at each attempt, without gRPC's reconnect backoff).
 * </ul>
 *
 * <p>{@code -Dbench.phases} (state.sh's {@code BENCH_PHASES}) names the phases to run, any of
 * {@code throughput failover restart} (all by default); the warm-up runs before any of them.
 *
 * <p>With {@code -Dbench.tls=true} and/or {@code -Dbench.acl=true} ({@code state.sh --tls --acl})
 * it compares instead: the throughput phases on a plain cluster, then on a cluster with mutual
 * TLS and/or ACLs (clients present a client certificate and the management token), each with
 * its own warm-up, and prints both and their ratios ({@code RESULT ..._off}, {@code ..._on},
 * {@code ratio_...}).
 */
public final class StateBench {
  private StateBench() {}

  private static final List<String> PHASES = List.of("throughput", "failover", "restart");

  public static void main(String[] args) throws Exception {
    List<String> phases = List.of(System.getProperty("bench.phases", String.join(" ", PHASES)).trim().split("[ ,]+"));
    for (String p : phases) {
      if (!PHASES.contains(p)) {
        System.err.println("BENCH_PHASES: unknown phase \"" + p + "\" (expected any of " + String.join(" ", PHASES) + ")");
        System.exit(2);
      }
    }
    Duration phase = Duration.ofSeconds(Long.parseLong(System.getProperty("bench.seconds", "10")));
    Path dir = Files.createTempDirectory("gantry-bench");
    int peers = Integer.getInteger("bench.peers", 3);
    boolean quick = Boolean.getBoolean("bench.quick");
    boolean tls = Boolean.getBoolean("bench.tls");
    boolean acl = Boolean.getBoolean("bench.acl");
    if (tls || acl) {
      try {
        compare(dir, peers, phase, tls, acl);
      } finally {
        deleteTree(dir);
      }
      return;
    }
    try (PeerProcesses cluster = new PeerProcesses(dir, peers, Map.of())) {
      cluster.startAll();
      cluster.awaitLeader(Duration.ofSeconds(60));
      warmUp(cluster);
      if (phases.contains("throughput")) for (int clients : new int[] {1, 16, 64}) throughput(cluster, clients, phase);
      if (quick) return;
      if (phases.contains("failover")) failover(cluster, 5);
      if (phases.contains("restart")) coldRestart(cluster);
    } finally {
      deleteTree(dir);
    }
  }

  /** The throughput phases without, then with, TLS and/or ACLs; both series and their ratios. */
  private static void compare(Path dir, int peers, Duration phase, boolean tls, boolean acl) throws Exception {
    int[] concurrency = {1, 16, 64};
    Stats[] off = new Stats[concurrency.length];
    Stats[] on = new Stats[concurrency.length];
    try (PeerProcesses cluster = new PeerProcesses(dir.resolve("off"), peers, Map.of())) {
      cluster.startAll();
      cluster.awaitLeader(Duration.ofSeconds(60));
      warmUp(cluster);
      for (int i = 0; i < concurrency.length; i++) off[i] = run(cluster, concurrency[i], phase, "off" + concurrency[i]);
    }
    List<String> certificates = new ArrayList<>(List.of("client:bench"));
    for (int i = 1; i <= peers; i++) certificates.add("server:m" + i);
    Pki pki = Pki.create(dir.resolve("pki"), certificates.toArray(String[]::new));
    try (PeerProcesses cluster = new PeerProcesses(dir.resolve("on"), peers, acl ? Map.of("acl", "true") : Map.of())) {
      if (tls) cluster.withPeerFlags(pki::flags).withCredentials(pki.credentials("bench"));
      cluster.startAll();
      if (acl) {
        String[] args = tls ? pki.as("bench", null, "acl", "bootstrap", "--json") : new String[] {"acl", "bootstrap", "--json"};
        String[] secret = new String[1];
        PeerProcesses.await("acl bootstrap", Duration.ofSeconds(90), () -> {
          try {
            var r = Gantry.runAt(cluster.addresses(), args);
            if (r.exit() == 0) secret[0] = Pki.secret(r.stdout());
            return r.exit() == 0;
          } catch (java.io.IOException | InterruptedException e) {
            throw new IllegalStateException(e);
          }
        });
        cluster.withCredentials((tls ? pki.credentials("bench") : gantry.client.ManagerCredentials.plaintext()).withToken(secret[0]));
      }
      cluster.awaitLeader(Duration.ofSeconds(60));
      warmUp(cluster);
      for (int i = 0; i < concurrency.length; i++) on[i] = run(cluster, concurrency[i], phase, "on" + concurrency[i]);
    }
    System.out.printf("RESULT secure_mode=%s%n", (tls ? "tls" : "") + (tls && acl ? "+" : "") + (acl ? "acl" : ""));
    for (int i = 0; i < concurrency.length; i++) {
      int c = concurrency[i];
      System.out.printf("RESULT registrations_per_s_c%d_off=%.0f%nRESULT registrations_per_s_c%d_on=%.0f%n", c, off[i].perSecond, c, on[i].perSecond);
      System.out.printf("RESULT p99_ms_c%d_off=%.2f%nRESULT p99_ms_c%d_on=%.2f%n", c, off[i].p99, c, on[i].p99);
      System.out.printf("RESULT ratio_registrations_c%d=%.3f%nRESULT ratio_p99_c%d=%.3f%n", c, on[i].perSecond / off[i].perSecond,
          c, on[i].p99 / off[i].p99);
    }
  }

  /** Four fresh JVMs compile the same code at once: let the JIT settle before measuring. */
  private static void warmUp(PeerProcesses cluster) throws Exception {
    long seconds = Long.getLong("bench.warmup.seconds", 30);
    run(cluster, 64, Duration.ofSeconds(seconds), "warm");
  }

  private static void throughput(PeerProcesses cluster, int clients, Duration phase) throws Exception {
    Stats s = run(cluster, clients, phase, "c" + clients);
    System.out.printf("RESULT registrations_per_s_c%d=%.0f%n", clients, s.perSecond);
    System.out.printf("RESULT p50_ms_c%d=%.2f%n", clients, s.p50);
    System.out.printf("RESULT p99_ms_c%d=%.2f%n", clients, s.p99);
  }

  record Stats(double perSecond, double p50, double p99) {}

  private static Stats run(PeerProcesses cluster, int clients, Duration phase, String tag) throws Exception {
    List<PeerProcesses.Peer> peers = cluster.peers();
    long end = System.nanoTime() + phase.toNanos();
    List<long[]> latencies = new ArrayList<>();
    AtomicInteger seq = new AtomicInteger();
    long start = System.nanoTime();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<long[]>> futures = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        String peer = peers.get(c % peers.size()).id();
        futures.add(pool.submit(() -> {
          long[] lat = new long[1 << 16];
          int n = 0;
          while (System.nanoTime() < end && n < lat.length) {
            var req = RegisterJobRequest.newBuilder().setSpec(Workload.spec(tag + "-" + seq.incrementAndGet())).build();
            long t0 = System.nanoTime();
            cluster.stub(peer).registerJob(req);
            lat[n++] = System.nanoTime() - t0;
          }
          return Arrays.copyOf(lat, n);
        }));
      }
      for (Future<long[]> f : futures) latencies.add(f.get());
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long[] all = latencies.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    return new Stats(all.length / seconds, all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6);
  }

  private static void failover(PeerProcesses cluster, int rounds) throws Exception {
    long[] ms = new long[rounds];
    for (int r = 0; r < rounds; r++) {
      String leader = cluster.awaitLeader(Duration.ofSeconds(60));
      String other = cluster.peers().stream().map(PeerProcesses.Peer::id).filter(id -> !id.equals(leader)).findFirst().orElseThrow();
      Instant killedAt = Instant.now();
      long t0 = System.nanoTime();
      cluster.kill(leader);
      for (int i = 0; ; i++) {
        try {
          cluster.stub(other).registerJob(RegisterJobRequest.newBuilder().setSpec(Workload.spec("failover-" + r + "-" + i)).build());
          break;
        } catch (RuntimeException e) {
          PeerProcesses.sleep(5);
        }
      }
      ms[r] = (System.nanoTime() - t0) / 1_000_000;
      System.out.printf("failover round %d: %d ms (leader %s SIGKILLed at %s, written through %s)%n", r + 1, ms[r], leader, killedAt, other);
      cluster.start(leader);
      // Back in the cluster: the restarted peer answers a linearizable read. (Digests keep
      // moving here: the leader is still working through the evaluations of the registrations.)
      PeerProcesses.await("peer " + leader + " back", Duration.ofSeconds(60), () -> {
        try {
          cluster.stub(leader).getJob(GetJobRequest.newBuilder().setName("warm-1").build());
          return true;
        } catch (RuntimeException e) {
          return false;
        }
      });
    }
    Arrays.sort(ms);
    System.out.printf("RESULT failover_ms=%d%n", ms[rounds / 2]);
  }

  private static void coldRestart(PeerProcesses cluster) throws Exception {
    cluster.killAll();
    long t0 = System.nanoTime();
    cluster.startAll();
    String probe = cluster.peers().getFirst().id();
    while (true) {
      // Each attempt connects again if the last one failed, as a new client (the CLI) does:
      // without this the figure would include gRPC's reconnect backoff (1 s, then x1.6 per
      // failure; up to ~2.6 s waited here while the peer was already serving).
      cluster.channel(probe).resetConnectBackoff();
      try {
        cluster.stub(probe).getJob(GetJobRequest.newBuilder().setName("warm-1").build());
        break;
      } catch (RuntimeException e) {
        PeerProcesses.sleep(5);
      }
    }
    System.out.printf("RESULT cold_restart_ms=%d%n", (System.nanoTime() - t0) / 1_000_000);
  }

  /** Deletes the run's directory, or with -Dbench.keep=true says where it is kept. */
  private static void deleteTree(Path dir) throws Exception {
    if (Boolean.getBoolean("bench.keep")) {
      System.out.println("peers' data and logs kept in " + dir);
      return;
    }
    try (var s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}
