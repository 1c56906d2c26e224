package gantry.chaos;

import gantry.chaos.checker.AllocationChecker;
import gantry.chaos.checker.DigestChecker;
import gantry.chaos.checker.LinearizabilityChecker;
import gantry.chaos.checker.LostWriteChecker;
import gantry.chaos.checker.NemesisChecker;
import gantry.chaos.checker.Verdict;
import gantry.chaos.cluster.AgentFleet;
import gantry.chaos.cluster.ImageBuild;
import gantry.chaos.cluster.LossyDisk;
import gantry.chaos.cluster.ClusterPki;
import gantry.chaos.cluster.ManagerCluster;
import gantry.chaos.fleet.FleetJob;
import gantry.chaos.fleet.FleetSampler;
import gantry.chaos.fleet.FleetScaler;
import gantry.chaos.fleet.HostProcesses;
import gantry.chaos.history.History;
import gantry.chaos.history.JobState;
import gantry.chaos.history.Op;
import gantry.chaos.nemesis.Fault;
import gantry.chaos.nemesis.FaultWindow;
import gantry.chaos.nemesis.Nemesis;
import gantry.chaos.report.RunReport;
import gantry.chaos.workload.Client;
import gantry.chaos.workload.Filler;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import org.testcontainers.DockerClientFactory;

/**
 * One chaos run: cluster -> workload + nemesis -> history -> checkers -> report.
 *
 * <pre>
 * Campaign [--time 60s|10m] [--nemesis all|kill,pause,partition,...] [--managers 3|5]
 *          [--agents 2] [--clients 5] [--keys 6] [--snapshot-every 200] [--repo DIR] [--out DIR] [--seed N]
 * </pre>
 *
 * Prints one {@code RESULT checker=NAME valid=true|false ops=N faults=M} line per checker
 * and the report's path; exits 0 when every checker is valid, 1 otherwise, 2 on bad usage.
 */
public final class Campaign {
  /**
   * What to run.
   *
   * @param snapshotEvery the managers' snapshot_every_entries: small, so snapshots, log purges and
   *     snapshot installs happen within seconds instead of never in a short run
   */
  public record Options(Duration time, List<Fault> faults, int managers, int clients, int keys, Path repo, Path out,
      long seed, Duration quiet, Duration hold, int agents, int snapshotEvery, boolean tls) {
    public static Options defaults() {
      return new Options(Duration.ofSeconds(60), Fault.ALL, 3, 5, 6, Path.of("."), Path.of("chaos-tests/target/chaos"),
          System.nanoTime(), Duration.ofSeconds(4), Duration.ofSeconds(8), 2, 200, true);
    }
  }

  /** What came of it. */
  public record Result(String runId, Path report, List<Verdict> verdicts, int ops, List<FaultWindow> timeline) {
    public boolean valid() {
      return verdicts.stream().allMatch(Verdict::valid);
    }

    public int faults() {
      return (int) timeline.stream().filter(f -> !f.skipped()).count();
    }
  }

  private Campaign() {}

  public static void main(String[] args) throws Exception {
    Options o;
    try {
      o = parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println("campaign: " + e.getMessage());
      System.exit(2);
      return;
    }
    Result r = run(o);
    for (Verdict v : r.verdicts()) System.out.println(RunReport.resultLine(v, r.faults()));
    System.out.println("REPORT " + r.report().toAbsolutePath().resolve("index.html"));
    System.exit(r.valid() ? 0 : 1);
  }

  static final String USAGE = "usage: Campaign [--time 60s|10m] [--nemesis all|NAME,...] [--managers 3|5] [--agents N]"
      + " [--clients N] [--keys N] [--snapshot-every N] [--repo DIR] [--out DIR] [--seed N] [--tls on|off]";

  static Options parse(String[] args) {
    Map<String, String> given = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (i + 1 >= args.length) throw new IllegalArgumentException("missing value after " + args[i]);
      given.put(args[i], args[++i]);
    }
    Options d = Options.defaults();
    for (String flag : given.keySet()) {
      if (!List.of("--time", "--nemesis", "--managers", "--clients", "--keys", "--repo", "--out", "--agents", "--seed",
          "--snapshot-every", "--tls").contains(flag)) {
        throw new IllegalArgumentException("unknown option " + flag + " (" + USAGE + ")");
      }
    }
    int managers = Integer.parseInt(given.getOrDefault("--managers", String.valueOf(d.managers())));
    if (managers != 3 && managers != 5) throw new IllegalArgumentException("--managers must be 3 or 5");
    int agents = Integer.parseInt(given.getOrDefault("--agents", String.valueOf(d.agents())));
    if (agents < 0 || agents > 5) throw new IllegalArgumentException("--agents must be within 0..5");
    int snapshotEvery = Integer.parseInt(given.getOrDefault("--snapshot-every", String.valueOf(d.snapshotEvery())));
    if (snapshotEvery < 10) throw new IllegalArgumentException("--snapshot-every must be at least 10");
    String tls = given.getOrDefault("--tls", d.tls() ? "on" : "off");
    if (!tls.equals("on") && !tls.equals("off")) throw new IllegalArgumentException("--tls must be on or off, got " + tls);
    return new Options(given.containsKey("--time") ? duration(given.get("--time")) : d.time(),
        given.containsKey("--nemesis") ? Fault.parse(given.get("--nemesis")) : d.faults(), managers,
        Integer.parseInt(given.getOrDefault("--clients", String.valueOf(d.clients()))),
        Integer.parseInt(given.getOrDefault("--keys", String.valueOf(d.keys()))),
        Path.of(given.getOrDefault("--repo", d.repo().toString())), Path.of(given.getOrDefault("--out", d.out().toString())),
        Long.parseLong(given.getOrDefault("--seed", String.valueOf(d.seed()))), d.quiet(), d.hold(), agents, snapshotEvery,
        tls.equals("on"));
  }

  /** 90, 90s, 10m, 1h. */
  static Duration duration(String v) {
    char unit = v.charAt(v.length() - 1);
    if (Character.isDigit(unit)) return Duration.ofSeconds(Long.parseLong(v));
    long n = Long.parseLong(v.substring(0, v.length() - 1));
    return switch (unit) {
      case 's' -> Duration.ofSeconds(n);
      case 'm' -> Duration.ofMinutes(n);
      case 'h' -> Duration.ofHours(n);
      default -> throw new IllegalArgumentException("bad duration " + v + " (e.g. 90s, 10m)");
    };
  }

  public static Result run(Options o) throws Exception {
    String runId = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-" + Long.toHexString(o.seed() & 0xfff);
    RunReport report = new RunReport(o.out().resolve(runId));
    String image = ImageBuild.ensure(o.repo().toAbsolutePath().normalize());
    History history = new History(System.nanoTime());
    List<String> keys = IntStream.range(0, o.keys()).mapToObj(i -> "chaos-k" + i).toList();
    List<Verdict> verdicts = new ArrayList<>();
    Nemesis nemesis = null;
    Map<String, String> facts = new LinkedHashMap<>();
    facts.put("run", runId);
    facts.put("managers", String.valueOf(o.managers()));
    facts.put("clients", o.clients() + " over keys " + keys);
    facts.put("nemesis", String.join(",", o.faults().stream().map(Fault::name).toList()));
    facts.put("time", o.time().toString());
    facts.put("seed", String.valueOf(o.seed()));
    String lossyUnavailable = o.faults().stream().anyMatch(f -> f instanceof Fault.PowerLoss)
        ? LossyDisk.unavailable(DockerClientFactory.instance().client(), image) : "power-loss is not among the faults";
    var settings = new ManagerCluster.Settings(o.snapshotEvery(), 16 * 1024, lossyUnavailable.isEmpty());
    facts.put("managers' disk", settings.lossy() ? "lossyfs (unsynced writes are lost on power-loss)"
        : "container file system (" + lossyUnavailable + ")");
    facts.put("snapshots", "every " + o.snapshotEvery() + " entries, log segments of " + settings.segmentBytes() + " bytes");
    ClusterPki pki = o.tls() ? ClusterPki.create(o.repo().toAbsolutePath().normalize().resolve("cli/target/gantry.jar"),
        report.dir().resolve("pki")) : null;
    facts.put("transport", o.tls() ? "mutual TLS 1.3 on gRPC, Raft and HTTPS (certificates by gantry tls)" : "plaintext");
    try (ManagerCluster cluster = ManagerCluster.start(image, o.managers(), runId, settings, pki)) {
      AtomicReference<AgentFleet> fleetRef = new AtomicReference<>();
      Thread hook = new Thread(() -> {
        if (fleetRef.get() != null) fleetRef.get().close();
        cluster.close();
      });
      Runtime.getRuntime().addShutdownHook(hook);
      FleetSampler sampler = null;
      FleetJob fleetJob = new FleetJob(2 * o.agents(), Duration.ofSeconds(4));
      try {
        facts.put("first leader", cluster.awaitLeader(Duration.ofMinutes(2)));
        if (o.agents() > 0) {
          // The allocation checker is not optional: a run with agents whose processes cannot
          // be seen would pass without having looked at what they ran.
          if (!HostProcesses.usable()) {
            throw new IllegalStateException("the fleet cannot be sampled: reading other processes' environments in /proc"
                + " needs root (run as root, or pass --agents 0 to run without agents)");
          }
          fleetRef.set(AgentFleet.start(image, cluster, o.agents(), runId, history::now));
          fleetJob.register(cluster, history::now, Duration.ofMinutes(1));
          AgentFleet fleet = fleetRef.get();
          sampler = new FleetSampler(new HostProcesses(), fleet::containerIds, FleetJob.NAME, history::now, Duration.ofMillis(250));
          Thread.ofPlatform().name("chaos-fleet-sampler").daemon().start(sampler);
          facts.put("agents", fleet.names() + " (exec driver), job " + FleetJob.NAME + ": " + fleetJob.count()
              + " replicas, scaled to " + (fleetJob.count() + 2) + " and back every 15 s, disconnect.stop_after "
              + fleetJob.stopAfter().toSeconds() + " s");
        } else {
          facts.put("agents", "none (--agents 0)");
        }
        long until = history.now() + o.time().toNanos();
        Duration timeout = Duration.ofSeconds(5);
        List<Thread> clients = new ArrayList<>();
        for (int c = 0; c < o.clients(); c++) {
          Client client = new Client("c" + c, c, cluster, history, keys, until, o.seed() + c, timeout, Duration.ofMillis(60),
              Duration.ofSeconds(5));
          clients.add(Thread.ofPlatform().name("chaos-client-" + c).start(client));
        }
        if (sampler != null) {
          clients.add(Thread.ofPlatform().name("chaos-fleet-scaler")
              .start(new FleetScaler(fleetJob, cluster, history::now, until, Duration.ofSeconds(15))));
        }
        nemesis = new Nemesis(cluster, fleetRef.get(), new Filler(cluster, history, timeout), o.faults(), o.quiet(), o.hold(),
            history::now, o.seed(), settings.lossy() ? "" : lossyUnavailable);
        nemesis.run(until);
        for (Thread t : clients) t.join();

        // Healed: every manager must come back, agree, and show every acknowledged write.
        cluster.awaitLeader(Duration.ofMinutes(2));
        Map<String, Map<String, JobState>> finals = new LinkedHashMap<>();
        List<String> used = history.ops().stream().map(Op::key).distinct().sorted().toList();
        for (String peer : cluster.ids()) {
          Map<String, JobState> seen = new LinkedHashMap<>();
          for (String key : used) {
            long id = history.nextId();
            long invoke = history.now();
            JobState s = cluster.readJob(peer, key, Duration.ofSeconds(60));
            history.add(new Op(id, "final", key, Op.Type.READ, Op.Outcome.OK, invoke, history.now(), "", s, peer, ""));
            seen.put(key, s);
          }
          finals.put(peer, seen);
        }
        Map<String, DigestChecker.Answer> digests = cluster.awaitDigests(Duration.ofSeconds(60));
        report.writeHistory(history.ops());
        List<Op> ops = history.ops();
        verdicts.add(new LinearizabilityChecker().check(ops));
        verdicts.add(new LostWriteChecker().check(ops, finals));
        verdicts.add(new DigestChecker().check(digests));
        if (sampler != null) {
          AllocationChecker.Convergence converged = fleetJob.awaitConverged(cluster, sampler, Duration.ofSeconds(90), history::now);
          sampler.stop();
          List<AllocationChecker.Sample> samples = sampler.samples();
          report.writeSamples(samples);
          // Restart budget 0: the fleet's task (sleep) never fails by itself (see TaskStarts).
          Verdict v = new AllocationChecker(fleetJob.scales(), fleetJob.reads(), fleetRef.get().restarts(),
              fleetJob.stopAfter().plusSeconds(2), Duration.ofSeconds(10), 0).check(samples, converged);
          if (!sampler.error().isEmpty()) v = new Verdict(v.checker(), false, v.ops(), "sampling broke off: " + sampler.error());
          verdicts.add(v);
        }
      } catch (RuntimeException | InterruptedException e) {
        verdicts.add(new Verdict("harness", false, history.ops().size(), "the run broke off: " + e));
      } finally {
        if (sampler != null) sampler.stop();
        try {
          facts.put("managers that stopped on their own (exit 3) and were restarted", cluster.selfStops().toString());
        } catch (RuntimeException e) {
          facts.put("managers that stopped on their own (exit 3) and were restarted", "unknown: " + e);
        }
        cluster.saveLogs(report.dir().resolve("logs"));
        AgentFleet fleet = fleetRef.get();
        if (fleet != null) {
          fleet.saveLogs(report.dir().resolve("logs"));
          fleet.close();
        }
        try {
          Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
          // already shutting down
        }
      }
    }
    List<Op> ops = history.ops();
    List<FaultWindow> timeline = nemesis == null ? List.of() : nemesis.timeline();
    verdicts.add(new NemesisChecker().check(timeline));
    report.writeHistory(ops);
    report.writeTimeline(timeline);
    Result result = new Result(runId, report.dir(), List.copyOf(verdicts), ops.size(), timeline);
    facts.put("ops", ops.size() + " (" + ops.stream().filter(op -> op.outcome() == Op.Outcome.OK).count() + " ok, "
        + ops.stream().filter(op -> op.outcome() == Op.Outcome.UNKNOWN).count() + " unknown, "
        + ops.stream().filter(op -> op.outcome() == Op.Outcome.FAIL).count() + " fail)");
    facts.put("faults", String.valueOf(result.faults()));
    report.writeVerdicts(verdicts, result.faults());
    report.writeIndex("Gantry chaos run " + runId, facts, verdicts, ops, timeline);
    return result;
  }
}
