package gantry.chaos;

import gantry.chaos.checker.AllocationChecker;
import gantry.chaos.checker.DigestChecker;
import gantry.chaos.checker.LinearizabilityChecker;
import gantry.chaos.checker.LostWriteChecker;
import gantry.chaos.checker.Verdict;
import gantry.chaos.cluster.AgentFleet;
import gantry.chaos.cluster.ImageBuild;
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

/**
 * One chaos run: cluster -> workload + nemesis -> history -> checkers -> report.
 *
 * <pre>
 * Campaign [--time 60s|10m] [--nemesis all|kill,pause,partition,...] [--managers 3|5]
 *          [--agents 2] [--clients 5] [--keys 6] [--repo DIR] [--out DIR] [--seed N]
 * </pre>
 *
 * Prints one {@code RESULT checker=NAME valid=true|false ops=N faults=M} line per checker
 * and the report's path; exits 0 when every checker is valid, 1 otherwise, 2 on bad usage.
 */
public final class Campaign {
  /** What to run. */
  public record Options(Duration time, List<Fault> faults, int managers, int clients, int keys, Path repo, Path out,
      long seed, Duration quiet, Duration hold, int agents) {
    public static Options defaults() {
      return new Options(Duration.ofSeconds(60), Fault.ALL, 3, 5, 6, Path.of("."), Path.of("chaos-tests/target/chaos"),
          System.nanoTime(), Duration.ofSeconds(4), Duration.ofSeconds(8), 2);
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

  static Options parse(String[] args) {
    Options o = Options.defaults();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (i + 1 >= args.length) throw new IllegalArgumentException("missing value after " + a);
      String v = args[++i];
      o = switch (a) {
        case "--time" -> new Options(duration(v), o.faults(), o.managers(), o.clients(), o.keys(), o.repo(), o.out(), o.seed(), o.quiet(), o.hold(), o.agents());
        case "--nemesis" -> new Options(o.time(), Fault.parse(v), o.managers(), o.clients(), o.keys(), o.repo(), o.out(), o.seed(), o.quiet(), o.hold(), o.agents());
        case "--managers" -> {
          int n = Integer.parseInt(v);
          if (n != 3 && n != 5) throw new IllegalArgumentException("--managers must be 3 or 5");
          yield new Options(o.time(), o.faults(), n, o.clients(), o.keys(), o.repo(), o.out(), o.seed(), o.quiet(), o.hold(), o.agents());
        }
        case "--clients" -> new Options(o.time(), o.faults(), o.managers(), Integer.parseInt(v), o.keys(), o.repo(), o.out(), o.seed(), o.quiet(), o.hold(), o.agents());
        case "--keys" -> new Options(o.time(), o.faults(), o.managers(), o.clients(), Integer.parseInt(v), o.repo(), o.out(), o.seed(), o.quiet(), o.hold(), o.agents());
        case "--repo" -> new Options(o.time(), o.faults(), o.managers(), o.clients(), o.keys(), Path.of(v), o.out(), o.seed(), o.quiet(), o.hold(), o.agents());
        case "--out" -> new Options(o.time(), o.faults(), o.managers(), o.clients(), o.keys(), o.repo(), Path.of(v), o.seed(), o.quiet(), o.hold(), o.agents());
        case "--agents" -> {
          int n = Integer.parseInt(v);
          if (n < 0 || n > 5) throw new IllegalArgumentException("--agents must be within 0..5");
          yield new Options(o.time(), o.faults(), o.managers(), o.clients(), o.keys(), o.repo(), o.out(), o.seed(), o.quiet(), o.hold(), n);
        }
        case "--seed" -> new Options(o.time(), o.faults(), o.managers(), o.clients(), o.keys(), o.repo(), o.out(), Long.parseLong(v), o.quiet(), o.hold(), o.agents());
        default -> throw new IllegalArgumentException("unknown option " + a
            + " (usage: Campaign [--time 60s|10m] [--nemesis all|NAME,...] [--managers 3|5] [--agents N] [--clients N] [--keys N] [--repo DIR] [--out DIR] [--seed N])");
      };
    }
    return o;
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
    try (ManagerCluster cluster = ManagerCluster.start(image, o.managers(), runId)) {
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
        if (o.agents() > 0 && HostProcesses.usable()) {
          fleetRef.set(AgentFleet.start(image, cluster, o.agents(), runId));
          fleetJob.register(cluster, history::now, Duration.ofMinutes(1));
          AgentFleet fleet = fleetRef.get();
          sampler = new FleetSampler(new HostProcesses(), fleet::containerIds, FleetJob.NAME, history::now, Duration.ofMillis(250));
          Thread.ofPlatform().name("chaos-fleet-sampler").daemon().start(sampler);
          facts.put("agents", fleet.names() + " (exec driver), job " + FleetJob.NAME + ": " + fleetJob.count()
              + " replicas, scaled to " + (fleetJob.count() + 2) + " and back every 15 s, disconnect.stop_after "
              + fleetJob.stopAfter().toSeconds() + " s");
        } else {
          facts.put("agents", o.agents() == 0 ? "none" : "none: reading task processes from /proc needs root");
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
        nemesis = new Nemesis(cluster, fleetRef.get(), o.faults(), o.quiet(), o.hold(), history::now, o.seed());
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
          AllocationChecker.Convergence converged = fleetJob.awaitConverged(cluster, sampler, Duration.ofSeconds(90));
          sampler.stop();
          List<AllocationChecker.Sample> samples = sampler.samples();
          report.writeSamples(samples);
          Verdict v = new AllocationChecker(fleetJob.scales(), fleetJob.stopAfter().plusSeconds(2), Duration.ofSeconds(10))
              .check(samples, converged);
          if (!sampler.error().isEmpty()) v = new Verdict(v.checker(), false, v.ops(), "sampling broke off: " + sampler.error());
          verdicts.add(v);
        }
      } catch (RuntimeException | InterruptedException e) {
        verdicts.add(new Verdict("harness", false, history.ops().size(), "the run broke off: " + e));
      } finally {
        if (sampler != null) sampler.stop();
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
