package gantry.chaos.nemesis;

import gantry.chaos.cluster.Endpoint;
import gantry.chaos.cluster.Firewall;
import gantry.chaos.cluster.Reachability;
import gantry.chaos.cluster.Reachability.Outcome;
import gantry.chaos.cluster.Reachability.Probe;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Cuts a set of one-way links and proves that each took effect: after the rules are in, a
 * TCP connect runs across every link from inside its source container, and each link's
 * rule must have dropped packets (its counter moved) while the connect neither connected
 * nor was refused. A rule that is in the chain but not on the packets' path (no
 * br_netfilter, another chain accepting first) would otherwise turn a partition campaign
 * into a quiet one that passes.
 */
final class Partition {
  /** Packets from {@code from} to {@code to} are to be dropped. */
  record Link(Endpoint from, Endpoint to) {
    @Override
    public String toString() {
      return from.name() + "->" + to.name();
    }
  }

  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(1);

  /** What the probes showed: a note for the timeline, and why the cut is not proven (empty when it is). */
  record Proof(String note, String problem) {}

  private Partition() {}

  /** Both directions between every member of {@code a} and every member of {@code b}. */
  static List<Link> between(List<Endpoint> a, List<Endpoint> b) {
    List<Link> out = new ArrayList<>();
    for (Endpoint x : a) {
      for (Endpoint y : b) {
        out.add(new Link(x, y));
        out.add(new Link(y, x));
      }
    }
    return out;
  }

  /** Inserts a rule per link, then probes them all. */
  static Proof cut(Firewall firewall, List<Link> links) throws InterruptedException {
    List<Firewall.Rule> rules = new ArrayList<>();
    for (Link l : links) rules.add(firewall.drop(l.from().ip(), l.to().ip()));
    List<Probe> probes = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Probe>> running = new ArrayList<>();
      for (Link l : links) running.add(pool.submit(() -> Reachability.tcp(l.from(), l.to(), PROBE_TIMEOUT)));
      for (Future<Probe> f : running) probes.add(f.get());
    } catch (ExecutionException e) {
      return new Proof("", "probing the partition failed: " + e.getCause());
    }
    Map<String, Long> dropped = firewall.dropped();
    List<String> problems = new ArrayList<>();
    for (int i = 0; i < links.size(); i++) {
      String why = unproven(probes.get(i), dropped.getOrDefault(rules.get(i).comment(), 0L));
      if (!why.isEmpty()) problems.add(links.get(i) + " " + why);
    }
    long packets = 0;
    for (Firewall.Rule r : rules) packets += dropped.getOrDefault(r.comment(), 0L);
    return problems.isEmpty()
        ? new Proof("cut proven on " + links.size() + " directions (probes timed out, rules dropped " + packets + " packets)", "")
        : new Proof("", "partition did not take effect: " + String.join("; ", problems));
  }

  /** Why one link's cut is not proven by its probe and its rule's counter, or empty. */
  static String unproven(Probe probe, long droppedPackets) {
    if (probe.outcome() == Outcome.CONNECTED) return "still connects";
    if (probe.outcome() == Outcome.REFUSED) return "still reaches the peer (connection refused)";
    if (droppedPackets == 0) return "rule dropped no packet (probe: " + probe.outcome() + " " + probe.output() + ")";
    if (probe.outcome() == Outcome.ERROR) return "probe failed: " + probe.output();
    return "";
  }
}
