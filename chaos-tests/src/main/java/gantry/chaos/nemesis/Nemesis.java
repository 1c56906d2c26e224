package gantry.chaos.nemesis;

import gantry.chaos.cluster.AgentFleet;
import gantry.chaos.cluster.Endpoint;
import gantry.chaos.cluster.ManagerCluster;
import gantry.chaos.workload.Filler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.LongSupplier;

/**
 * Injects faults in turn: quiet for {@code quiet}, a fault held for {@code hold}, healed,
 * and again, until {@code until} on the run clock. Everything is healed before
 * {@link #run} returns, also when it fails. Records a timeline of {@link FaultWindow}s,
 * each with the problem, if any, that makes it untrustworthy: a partition whose probes
 * still got through, a heal that left a rule behind, a scenario step that did not happen.
 */
public final class Nemesis {
  /** What an injected fault did, how to undo it, and what went wrong already (empty if nothing). */
  record Injected(String detail, Heal heal, String problem) {}

  /** Undoes a fault. */
  interface Heal {
    Healed heal() throws InterruptedException;
  }

  /** What healing added to the story, and what went wrong (empty if nothing). */
  record Healed(String note, String problem) {
    static final Healed OK = new Healed("", "");
  }

  private final ManagerCluster cluster;
  private final AgentFleet fleet;
  private final List<Fault> faults;
  private final Duration quiet;
  private final Duration hold;
  private final LongSupplier clock;
  private final Random random;
  private final SnapshotInstall snapshotInstall;
  private final String lossyUnavailable;
  private final List<FaultWindow> timeline = new ArrayList<>();

  /**
   * @param fleet the agents, or null when the run has none (agent faults are then skipped)
   * @param filler the writes the snapshot-install fault uses to fill the log
   * @param lossyUnavailable why the managers do not run on lossyfs (power-loss is then skipped), or empty
   */
  public Nemesis(ManagerCluster cluster, AgentFleet fleet, Filler filler, List<Fault> faults, Duration quiet,
      Duration hold, LongSupplier clock, long seed, String lossyUnavailable) {
    this.cluster = cluster;
    this.fleet = fleet;
    this.faults = List.copyOf(faults);
    this.quiet = quiet;
    this.hold = hold;
    this.clock = clock;
    this.random = new Random(seed);
    this.snapshotInstall = new SnapshotInstall(cluster, filler, random, hold, clock);
    this.lossyUnavailable = lossyUnavailable;
  }

  public synchronized List<FaultWindow> timeline() {
    return List.copyOf(timeline);
  }

  /**
   * Runs the schedule until {@code untilNanos} on the run clock, and at least once through: a
   * slow fault (a snapshot install can take half a minute) never crowds out the later ones.
   */
  public void run(long untilNanos) throws InterruptedException {
    int next = 0;
    while (next < faults.size() || clock.getAsLong() + quiet.toNanos() + hold.toNanos() < untilNanos) {
      Thread.sleep(quiet.toMillis());
      Fault fault = faults.get(next++ % faults.size());
      long start = clock.getAsLong();
      Injected injected;
      try {
        injected = inject(fault);
      } catch (RuntimeException e) {
        // Nothing of it may be left in place: heal whatever a partial injection did.
        List<String> left = cluster.firewall().healAll();
        record(new FaultWindow(fault.name(), "not injected: " + e, start, clock.getAsLong(), true,
            left.isEmpty() ? "" : "heal failed: " + String.join("; ", left)));
        continue;
      }
      if (injected.heal() == null) {
        record(new FaultWindow(fault.name(), injected.detail(), start, start, true, ""));
        continue;
      }
      Healed healed = new Healed("", "heal did not run");
      try {
        if (!(fault instanceof Fault.SnapshotInstall)) Thread.sleep(hold.toMillis());
      } finally {
        try {
          healed = injected.heal().heal();
        } catch (RuntimeException e) {
          healed = new Healed("", "heal failed: " + e);
        }
        cluster.resetBackoff();
        String detail = injected.detail() + (healed.note().isEmpty() ? "" : "; " + healed.note());
        String problem = String.join("; ", List.of(injected.problem(), healed.problem()).stream().filter(p -> !p.isEmpty()).toList());
        record(new FaultWindow(fault.name(), detail, start, clock.getAsLong(), false, problem));
      }
    }
  }

  private synchronized void record(FaultWindow w) {
    timeline.add(w);
  }

  private static Injected skip(String why) {
    return new Injected("skipped: " + why, null, "");
  }

  private Heal healFirewall() {
    return () -> {
      List<String> left = cluster.firewall().healAll();
      return left.isEmpty() ? Healed.OK : new Healed("", "heal failed: " + String.join("; ", left));
    };
  }

  private Heal restart(List<String> ids) {
    return () -> {
      ids.forEach(cluster::restart);
      return Healed.OK;
    };
  }

  private Injected partition(String detail, List<Partition.Link> links) throws InterruptedException {
    Partition.Proof proof = Partition.cut(cluster.firewall(), links);
    return new Injected(detail + (proof.note().isEmpty() ? "" : "; " + proof.note()), healFirewall(), proof.problem());
  }

  private List<Endpoint> managers(List<String> ids) {
    return ids.stream().map(cluster::endpoint).toList();
  }

  private Injected inject(Fault fault) throws InterruptedException {
    List<String> ids = cluster.ids();
    String leader = cluster.leader().orElse(ids.get(random.nextInt(ids.size())));
    List<String> others = ids.stream().filter(id -> !id.equals(leader)).toList();
    boolean partitions = cluster.firewall().available();
    String noFirewall = "no iptables DOCKER-USER chain here";
    return switch (fault) {
      case Fault.Kill k -> {
        String victim = k.leader() ? leader : others.get(random.nextInt(others.size()));
        String problem = cluster.kill(victim);
        yield new Injected("SIGKILL " + victim + (k.leader() ? " (leader)" : ""), restart(List.of(victim)), problem);
      }
      case Fault.Pause p -> {
        cluster.pause(leader);
        yield new Injected("pause " + leader + " (leader)", () -> {
          cluster.unpause(leader);
          return Healed.OK;
        }, "");
      }
      case Fault.IsolateLeader i -> !partitions ? skip(noFirewall)
          : partition("isolate " + leader + " (leader) from " + others,
              Partition.between(managers(List.of(leader)), managers(others)));
      case Fault.Halves h -> {
        if (!partitions) yield skip(noFirewall);
        List<String> shuffled = new ArrayList<>(ids);
        Collections.shuffle(shuffled, random);
        List<String> minority = shuffled.subList(0, (ids.size() - 1) / 2);
        List<String> majority = shuffled.subList((ids.size() - 1) / 2, ids.size());
        yield partition("split " + minority + " | " + majority, Partition.between(managers(minority), managers(majority)));
      }
      case Fault.Bridge b -> {
        if (!partitions) yield skip(noFirewall);
        List<String> shuffled = new ArrayList<>(ids);
        Collections.shuffle(shuffled, random);
        String bridge = shuffled.get(0);
        List<String> rest = shuffled.subList(1, shuffled.size());
        List<String> left = rest.subList(0, rest.size() / 2);
        List<String> right = rest.subList(rest.size() / 2, rest.size());
        yield partition("bridge " + bridge + " between " + left + " | " + right,
            Partition.between(managers(left), managers(right)));
      }
      case Fault.OneWay o -> {
        if (!partitions) yield skip(noFirewall);
        List<Partition.Link> links = others.stream().map(other -> new Partition.Link(cluster.endpoint(leader), cluster.endpoint(other))).toList();
        yield partition("drop " + leader + " (leader) -> " + others + " only", links);
      }
      case Fault.KillAgent k -> {
        if (fleet == null) yield skip("no agents in this run");
        String agent = fleet.names().get(random.nextInt(fleet.names().size()));
        fleet.kill(agent);
        yield new Injected("SIGKILL agent " + agent, () -> {
          fleet.restart(agent);
          return Healed.OK;
        }, "");
      }
      case Fault.PartitionAgent p -> {
        if (fleet == null) yield skip("no agents in this run");
        if (!partitions) yield skip(noFirewall);
        String agent = fleet.names().get(random.nextInt(fleet.names().size()));
        yield partition("isolate agent " + agent + " from every manager",
            Partition.between(List.of(fleet.endpoint(agent)), managers(ids)));
      }
      case Fault.KillAll a -> {
        List<String> problems = new ArrayList<>();
        for (String id : ids) {
          String problem = cluster.kill(id);
          if (!problem.isEmpty()) problems.add(problem);
        }
        yield new Injected("SIGKILL " + ids, restart(ids), String.join("; ", problems));
      }
      case Fault.PowerLoss l -> {
        if (!lossyUnavailable.isEmpty()) yield skip(lossyUnavailable);
        for (String id : ids) cluster.powerLoss(id);
        yield new Injected("power loss of " + ids + ": SIGKILL with lossyfs, unsynced writes dropped", restart(ids), "");
      }
      case Fault.SnapshotInstall s -> snapshotInstall.inject();
    };
  }
}
