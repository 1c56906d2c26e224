package gantry.cli.it;

import gantry.v1.GetJobRequest;
import gantry.v1.GetJobResponse;
import gantry.v1.GroupSpec;
import gantry.v1.GroupSummary;
import gantry.v1.JobSpec;
import gantry.v1.ListNodesRequest;
import gantry.v1.NodeStatus;
import gantry.v1.RegisterJobRequest;
import gantry.v1.Resources;
import gantry.v1.TaskSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The end-to-end scheduler benchmark behind scripts/bench/scheduler.sh: a 3-peer cluster of
 * gantry processes on loopback, one {@code gantry agent --driver sim --simulate N} process
 * registering N nodes through the real dispatcher, then J jobs of R replicas registered by
 * concurrent clients. It times from the first registration until every job's group reports
 * R placed allocations in a linearizable read, and prints {@code RESULT name=value} lines:
 *
 * <ul>
 *   <li>{@code e2e_placements_per_s}: J x R / that time;
 *   <li>{@code leader_rss_mb}: the leader's peak resident set (VmHWM of /proc/PID/status,
 *       read at the end); {@code leader_rss_end_mb} is VmRSS at the end;
 *   <li>{@code e2e_placements_per_s_warm}: then the same J x R again (jobs of other names, onto
 *       the same nodes, which have room for both), timed the same way on the cluster the first
 *       round warmed up: the steady state of a manager that has been running, without the JIT
 *       compiling that takes a third of the CPU of the first round. Not with
 *       {@code bench.warm=false}, nor in the million-allocation run.
 * </ul>
 *
 * <p>With {@code bench.million=true} (see {@link Settings}) the same lines are prefixed
 * {@code e2e_1m_}, after {@code e2e_1m_allocations_s}: the seconds to the millionth committed.</p>
 *
 * <p>The poll is cheap: one GetJob (per-group counts) at a time, walking the jobs in
 * registration order and moving on only once a job is fully placed, so it costs about one
 * read per job. Nodes heartbeat every {@code heartbeat_ttl / 3}; the TTL is 100 s here, what
 * Nomad gives 5,000 nodes (it scales the TTL with the node count to keep 50 heartbeats/s), so
 * 5,000 nodes send 150 heartbeats/s. With 3 s, a 2-core machine running the managers and 5,000
 * simulated agents falls behind on heartbeats and the leader marks nodes down in waves.
 * The managers run with {@code scheduler_workers} = {@code bench.workers} (default 2).
 */
public final class SchedulerBench {
  private SchedulerBench() {}

  /**
   * The sizes of a run. {@code bench.million=true} is the million-allocation run: 10,000 nodes of
   * 16 cores (100 replicas of 100 millicores each fit), 1,000 jobs of 1,000 replicas, and RESULT
   * names of its own ({@code e2e_1m_...}).
   */
  record Settings(boolean million, int nodes, int jobs, int replicas, int clients, int cpu, int memory, Duration timeout) {
    static Settings fromProperties() {
      boolean quick = Boolean.getBoolean("bench.quick");
      boolean million = Boolean.getBoolean("bench.million");
      return new Settings(million, Integer.getInteger("bench.nodes", million ? 10_000 : quick ? 200 : 5000),
          Integer.getInteger("bench.jobs", quick && !million ? 50 : 1000),
          Integer.getInteger("bench.replicas", million ? 1000 : quick ? 20 : 100),
          Integer.getInteger("bench.clients", 64),
          Integer.getInteger("bench.node.cpu", million ? 16_000 : 4000),
          Integer.getInteger("bench.node.memory", 16384),
          Duration.ofSeconds(Long.getLong("bench.timeout.seconds", million ? 1800 : 600)));
    }
  }

  public static void main(String[] args) throws Exception {
    Settings s = Settings.fromProperties();
    Path dir = Files.createTempDirectory("gantry-sched-bench");
    Process agent = null;
    // Election timeouts of 1.5-3 s rather than 0.4-0.8 s: on a shared 2-core machine a GC pause
    // of the leader must not start an election (Nomad's default raft_multiplier makes it 5 s).
    Map<String, String> config = new java.util.LinkedHashMap<>(Map.of(
        "heartbeat_ttl", System.getProperty("bench.heartbeat.ttl", "100s"),
        "scheduler_workers", System.getProperty("bench.workers", "2"),
        "election_timeout_min", "1500ms", "election_timeout_max", "3000ms"));
    // More server settings, key=value,key=value (e.g. batch_max_bytes=4194304).
    for (String kv : System.getProperty("bench.server.config", "").split(",")) {
      if (kv.contains("=")) config.put(kv.substring(0, kv.indexOf('=')).strip(), kv.substring(kv.indexOf('=') + 1).strip());
    }
    try (PeerProcesses cluster = new PeerProcesses(dir.resolve("cluster"), 3, config)) {
      cluster.startAll();
      String leader = cluster.awaitLeader(Duration.ofSeconds(60));
      Path agentLog = cluster.peer(leader).log().resolveSibling("agent.log");
      List<String> simulator = new ArrayList<>(Gantry.command("agent", "--name", "sim", "--servers", cluster.addresses(),
          "--driver", "sim", "--simulate", Integer.toString(s.nodes()), "--cpu", Integer.toString(s.cpu()),
          "--memory", Integer.toString(s.memory()), "--data-dir", dir.resolve("agent").toString()));
      // Netty's unpooled allocator, as every agent's launcher flags give it (scripts/lib/agent-jvm.sh):
      // a pooled arena's lock, held by an allocation's virtual thread waiting for a carrier thread,
      // blocked the one timer thread that sends every simulated node's heartbeats.
      simulator.add(1, "-Dio.netty.allocator.type=unpooled");
      // The simulator's own flags, after the heap every process gets (later flags win).
      simulator.addAll(simulator.indexOf("-jar"), Gantry.flags(System.getProperty("bench.agent.jvm", "")));
      agent = new ProcessBuilder(simulator).redirectErrorStream(true).redirectOutput(agentLog.toFile()).start();
      // Also when this JVM is stopped (Ctrl-C, SIGTERM), where the finally below does not run.
      Process simulating = agent;
      Runtime.getRuntime().addShutdownHook(new Thread(simulating::destroyForcibly));
      long tNodes = System.nanoTime();
      PeerProcesses.await(s.nodes() + " ready nodes", Duration.ofSeconds(300), () -> readyNodes(cluster, leader) >= s.nodes());
      System.out.printf("%d nodes registered and ready in %d ms (logs in %s)%n", s.nodes(),
          (System.nanoTime() - tNodes) / 1_000_000, agentLog.getParent());

      double seconds = round(cluster, leader, s, "bench-");
      long total = (long) s.jobs() * s.replicas();
      String current = cluster.awaitLeader(Duration.ofSeconds(30));
      if (!current.equals(leader)) System.out.printf("note: the leader changed from %s to %s during the run%n", leader, current);
      long pid = cluster.pid(current);
      String prefix = s.million() ? "e2e_1m_" : "";
      if (s.million()) System.out.printf("RESULT e2e_1m_allocations_s=%.1f%n", seconds);
      System.out.printf("RESULT %se2e_placements_per_s=%.0f%n", prefix, total / seconds);
      System.out.printf("RESULT %sleader_rss_mb=%d%n", prefix, procStatusKb(pid, "VmHWM") / 1024);
      System.out.printf("RESULT %sleader_rss_end_mb=%d%n", prefix, procStatusKb(pid, "VmRSS") / 1024);
      diagnose(pid, System.getProperty("bench.diagnose", ""));
      if (!s.million() && !"false".equals(System.getProperty("bench.warm"))) {
        double warm = round(cluster, current, s, "warm-");
        System.out.printf("RESULT e2e_placements_per_s_warm=%.0f%n", total / warm);
      }
    } finally {
      if (agent != null) {
        agent.destroyForcibly();
        agent.waitFor(10, TimeUnit.SECONDS);
      }
      deleteTree(dir);
    }
  }

  static JobSpec spec(String name, int replicas) {
    return JobSpec.newBuilder().setName(name).setType("service")
        .addGroups(GroupSpec.newBuilder().setName("g").setCount(replicas)
            .addTasks(TaskSpec.newBuilder().setName("t").setDriver("exec").addCommand("sleep").addCommand("3600")
                .setResources(Resources.newBuilder().setCpu(100).setMemory(64))))
        .build();
  }

  private static String name(String prefix, int i) {
    return prefix + String.format("%04d", i);
  }

  /** Registers J jobs named {@code prefix}NNNN and waits until all are placed; returns the seconds that took. */
  private static double round(PeerProcesses cluster, String leader, Settings s, String prefix) throws Exception {
    long t0 = System.nanoTime();
    AtomicLong registered = new AtomicLong();
    register(cluster, leader, s, prefix, registered);
    long placedAt = awaitPlaced(cluster, leader, s, prefix);
    double seconds = (placedAt - t0) / 1e9;
    System.out.printf("%s: %d jobs registered in %d ms; %d allocations committed in %.2f s (%d nodes, %d clients)%n",
        prefix, s.jobs(), (registered.get() - t0) / 1_000_000, (long) s.jobs() * s.replicas(), seconds, s.nodes(),
        s.clients());
    return seconds;
  }

  /** Registers every job from {@code clients} concurrent callers; {@code done} gets the time the last was acknowledged. */
  private static void register(PeerProcesses cluster, String leader, Settings s, String prefix, AtomicLong done)
      throws Exception {
    AtomicInteger next = new AtomicInteger();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<?>> futures = new ArrayList<>();
      for (int c = 0; c < s.clients(); c++) {
        futures.add(pool.submit(() -> {
          for (int i; (i = next.getAndIncrement()) < s.jobs(); ) {
            registerOne(cluster, leader, RegisterJobRequest.newBuilder().setSpec(spec(name(prefix, i), s.replicas())).build());
          }
          return null;
        }));
      }
      for (Future<?> f : futures) f.get();
    }
    done.set(System.nanoTime());
  }

  /** Registration is idempotent: a call that timed out or met an election is sent again, to the leader of the moment. */
  private static void registerOne(PeerProcesses cluster, String leader, RegisterJobRequest req) {
    String peer = leader;
    for (int attempt = 1; ; attempt++) {
      try {
        cluster.stub(peer).registerJob(req);
        return;
      } catch (io.grpc.StatusRuntimeException e) {
        io.grpc.Status.Code code = e.getStatus().getCode();
        if (code == io.grpc.Status.Code.RESOURCE_EXHAUSTED && attempt < 1000) {
          // The manager's rate limit per address (rate_per_token), which the 64 clients share
          // with nothing else here: wait as a client would, then send it again.
          PeerProcesses.sleep(5);
          continue;
        }
        if (attempt >= 20 || (code != io.grpc.Status.Code.UNAVAILABLE && code != io.grpc.Status.Code.DEADLINE_EXCEEDED)) throw e;
        System.out.printf("registering %s: %s, again (attempt %d)%n", req.getSpec().getName(), code, attempt + 1);
        peer = cluster.awaitLeader(Duration.ofSeconds(60));
      }
    }
  }

  /**
   * Walks the jobs in order, one linearizable GetJob at a time; returns when the last is fully
   * placed. Gives up after the run's timeout, or when nothing more was placed for {@code
   * bench.stall.seconds} (default 180): a cluster that lost its nodes places nothing more.
   */
  private static long awaitPlaced(PeerProcesses cluster, String leader, Settings s, String prefix) {
    long deadline = System.nanoTime() + s.timeout().toNanos();
    long stall = Duration.ofSeconds(Long.getLong("bench.stall.seconds", 180)).toNanos();
    long progressAt = System.nanoTime();
    int at = 0;
    int lastPlaced = -1;
    String unplaced = "";
    while (at < s.jobs()) {
      int placed;
      try {
        GetJobResponse r = cluster.stub(leader).getJob(GetJobRequest.newBuilder().setName(name(prefix, at)).build());
        placed = r.getGroupsList().stream().mapToInt(GroupSummary::getPlaced).sum();
        unplaced = r.getGroupsCount() > 0 ? r.getGroups(0).getUnplacedReason() : "";
        if (placed < s.replicas() && !unplaced.isEmpty() && placed == lastPlaced) {
          System.out.printf("job %s: %d placed, unplaced: %s%n", name(prefix, at), placed, unplaced);
        }
      } catch (RuntimeException e) {
        placed = -1;
      }
      long now = System.nanoTime();
      if (placed >= s.replicas()) {
        at++;
        lastPlaced = -1;
        progressAt = now;
        continue;
      }
      if (placed > lastPlaced && placed > 0) progressAt = now;
      lastPlaced = Math.max(lastPlaced, placed);
      if (now > deadline || now - progressAt > stall) {
        throw new AssertionError((now > deadline ? "after " + s.timeout() : "nothing placed for " + Duration.ofNanos(stall))
            + ": " + at + " of " + s.jobs() + " jobs fully placed, and job " + name(prefix, at) + " has " + Math.max(placed, 0)
            + " of " + s.replicas()
            + (unplaced.isEmpty() ? "" : " (unplaced: " + unplaced + ")"));
      }
      PeerProcesses.sleep(20);
    }
    return System.nanoTime();
  }

  private static long readyNodes(PeerProcesses cluster, String peer) {
    return cluster.stub(peer).listNodes(ListNodesRequest.getDefaultInstance()).getNodesList().stream()
        .filter(n -> n.getStatus() == NodeStatus.NODE_STATUS_READY).count();
  }

  /**
   * With {@code bench.diagnose=DIR}: where the leader's memory is, written to DIR before the
   * cluster stops: jcmd's heap histogram and, when the managers run with
   * -XX:NativeMemoryTracking=summary (BENCH_JVM_OPTS), its native memory summary.
   */
  private static void diagnose(long pid, String dir) throws Exception {
    if (dir.isEmpty()) return;
    Path out = Files.createDirectories(Path.of(dir));
    for (String[] cmd : new String[][] {{"GC.class_histogram"}, {"VM.native_memory", "summary"}, {"GC.heap_info"}}) {
      var command = new ArrayList<>(List.of("jcmd", Long.toString(pid)));
      command.addAll(List.of(cmd));
      Path file = out.resolve("leader-" + cmd[0] + ".txt");
      new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(file.toFile()).start().waitFor(120, TimeUnit.SECONDS);
      System.out.println("leader " + String.join(" ", cmd) + ": " + file);
    }
  }

  /** A field of /proc/PID/status in kB, e.g. VmRSS (now) or VmHWM (peak). */
  static long procStatusKb(long pid, String field) throws java.io.IOException {
    for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
      if (line.startsWith(field + ":")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
    }
    throw new IllegalStateException(field + " not in /proc/" + pid + "/status");
  }

  private static void deleteTree(Path dir) throws Exception {
    try (var st = Files.walk(dir)) {
      for (Path p : st.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
    }
  }
}
