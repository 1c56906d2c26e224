package gantry.chaos.nemesis;

import gantry.chaos.cluster.AgentFleet;
import gantry.chaos.cluster.ManagerCluster;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.LongSupplier;

/**
 * Injects faults in turn: quiet for {@code quiet}, a fault held for {@code hold}, healed,
 * and again, until {@code until} on the run clock. Everything is healed before
 * {@link #run} returns, also when it fails. Records a timeline of {@link FaultWindow}s.
 */
public final class Nemesis {
  private final ManagerCluster cluster;
  private final AgentFleet fleet;
  private final List<Fault> faults;
  private final Duration quiet;
  private final Duration hold;
  private final LongSupplier clock;
  private final Random random;
  private final List<FaultWindow> timeline = new ArrayList<>();

  /** @param fleet the agents, or null when the run has none (agent faults are then skipped) */
  public Nemesis(ManagerCluster cluster, AgentFleet fleet, List<Fault> faults, Duration quiet, Duration hold,
      LongSupplier clock, long seed) {
    this.cluster = cluster;
    this.fleet = fleet;
    this.faults = List.copyOf(faults);
    this.quiet = quiet;
    this.hold = hold;
    this.clock = clock;
    this.random = new Random(seed);
  }

  public synchronized List<FaultWindow> timeline() {
    return List.copyOf(timeline);
  }

  /** Runs the schedule until {@code untilNanos} on the run clock. */
  public void run(long untilNanos) throws InterruptedException {
    int next = 0;
    while (clock.getAsLong() + quiet.toNanos() + hold.toNanos() < untilNanos) {
      Thread.sleep(quiet.toMillis());
      Fault fault = faults.get(next++ % faults.size());
      long start = clock.getAsLong();
      Runnable heal;
      String detail;
      try {
        Injected injected = inject(fault);
        heal = injected.heal();
        detail = injected.detail();
      } catch (RuntimeException e) {
        record(new FaultWindow(fault.name(), "not injected: " + e, start, clock.getAsLong(), true));
        continue;
      }
      if (heal == null) {
        record(new FaultWindow(fault.name(), detail, start, start, true));
        continue;
      }
      try {
        Thread.sleep(hold.toMillis());
      } finally {
        heal.run();
        cluster.resetBackoff();
        record(new FaultWindow(fault.name(), detail, start, clock.getAsLong(), false));
      }
    }
  }

  private synchronized void record(FaultWindow w) {
    timeline.add(w);
  }

  private record Injected(String detail, Runnable heal) {}

  private Injected inject(Fault fault) {
    List<String> ids = cluster.ids();
    String leader = cluster.leader().orElse(ids.get(random.nextInt(ids.size())));
    List<String> others = ids.stream().filter(id -> !id.equals(leader)).toList();
    return switch (fault) {
      case Fault.Kill k -> {
        String victim = k.leader() ? leader : others.get(random.nextInt(others.size()));
        cluster.kill(victim);
        yield new Injected("SIGKILL " + victim + (k.leader() ? " (leader)" : ""), () -> cluster.restart(victim));
      }
      case Fault.Pause p -> {
        cluster.pause(leader);
        yield new Injected("pause " + leader + " (leader)", () -> cluster.unpause(leader));
      }
      case Fault.IsolateLeader i -> {
        if (!cluster.firewall().available()) yield new Injected("skipped: no iptables DOCKER-USER chain here", null);
        for (String o : others) {
          cluster.firewall().drop(cluster.ip(leader), cluster.ip(o));
          cluster.firewall().drop(cluster.ip(o), cluster.ip(leader));
        }
        yield new Injected("isolate " + leader + " (leader) from " + others, cluster.firewall()::healAll);
      }
      case Fault.Halves h -> {
        if (!cluster.firewall().available()) yield new Injected("skipped: no iptables DOCKER-USER chain here", null);
        List<String> shuffled = new ArrayList<>(ids);
        java.util.Collections.shuffle(shuffled, random);
        List<String> minority = shuffled.subList(0, (ids.size() - 1) / 2);
        List<String> majority = shuffled.subList((ids.size() - 1) / 2, ids.size());
        for (String a : minority) {
          for (String b : majority) {
            cluster.firewall().drop(cluster.ip(a), cluster.ip(b));
            cluster.firewall().drop(cluster.ip(b), cluster.ip(a));
          }
        }
        yield new Injected("split " + minority + " | " + majority, cluster.firewall()::healAll);
      }
      case Fault.Bridge b -> {
        if (!cluster.firewall().available()) yield new Injected("skipped: no iptables DOCKER-USER chain here", null);
        List<String> shuffled = new ArrayList<>(ids);
        java.util.Collections.shuffle(shuffled, random);
        String bridge = shuffled.get(0);
        List<String> rest = shuffled.subList(1, shuffled.size());
        List<String> left = rest.subList(0, rest.size() / 2);
        List<String> right = rest.subList(rest.size() / 2, rest.size());
        for (String a : left) {
          for (String c : right) {
            cluster.firewall().drop(cluster.ip(a), cluster.ip(c));
            cluster.firewall().drop(cluster.ip(c), cluster.ip(a));
          }
        }
        yield new Injected("bridge " + bridge + " between " + left + " | " + right, cluster.firewall()::healAll);
      }
      case Fault.OneWay o -> {
        if (!cluster.firewall().available()) yield new Injected("skipped: no iptables DOCKER-USER chain here", null);
        for (String other : others) cluster.firewall().drop(cluster.ip(leader), cluster.ip(other));
        yield new Injected("drop " + leader + " (leader) -> " + others + " only", cluster.firewall()::healAll);
      }
      case Fault.KillAgent k -> {
        if (fleet == null) yield new Injected("skipped: no agents in this run", null);
        String agent = fleet.names().get(random.nextInt(fleet.names().size()));
        fleet.kill(agent);
        yield new Injected("SIGKILL agent " + agent, () -> fleet.restart(agent));
      }
      case Fault.PartitionAgent p -> {
        if (fleet == null) yield new Injected("skipped: no agents in this run", null);
        if (!cluster.firewall().available()) yield new Injected("skipped: no iptables DOCKER-USER chain here", null);
        String agent = fleet.names().get(random.nextInt(fleet.names().size()));
        for (String m : ids) {
          cluster.firewall().drop(fleet.ip(agent), cluster.ip(m));
          cluster.firewall().drop(cluster.ip(m), fleet.ip(agent));
        }
        yield new Injected("isolate agent " + agent + " from every manager", cluster.firewall()::healAll);
      }
      case Fault.KillAll a -> {
        for (String id : ids) cluster.kill(id);
        yield new Injected("SIGKILL " + ids, () -> ids.forEach(cluster::restart));
      }
    };
  }
}
