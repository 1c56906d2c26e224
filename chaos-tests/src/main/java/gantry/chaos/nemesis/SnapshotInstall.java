package gantry.chaos.nemesis;

import gantry.chaos.cluster.Endpoint;
import gantry.chaos.cluster.ManagerCluster;
import gantry.chaos.workload.Filler;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The snapshot-install fault, a scenario in five steps:
 * <ol>
 *   <li>cut one follower off from the other managers, both ways, proven by probes (without a
 *       firewall: SIGKILL it);
 *   <li>write (through {@link Filler}) until each of the others logged a snapshot at least two
 *       snapshot intervals past the follower's last index, so their logs no longer reach
 *       back to it; and hold the cut until the leader placed an allocation the follower has
 *       not seen (when any allocation exists), so the follower's copy of the state is stale in
 *       a way the agents would notice;
 *   <li>heal;
 *   <li>wait for the follower to log that it loaded the snapshot installed from the leader;
 *   <li>wait until it has caught up with the leader (a linearizable read on it), then move the
 *       leadership onto it (ControlService.TransferLeadership).
 * </ol>
 * A peer's leader duties (dispatcher, heartbeat monitor) must then work from the installed
 * state, not from the state it held before: the fleet job and the allocation checker show it
 * when they do not. A step that did not happen (no install, no transfer) is the window's
 * problem: the run fails, because the scenario was not tested.
 */
final class SnapshotInstall {
  static final String INSTALLED = "loading the snapshot installed from the leader";
  private static final Pattern SNAPSHOT_TAKEN = Pattern.compile("snapshot taken at \\(t:\\d+, i:(\\d+)\\)");
  private final ManagerCluster cluster;
  private final Filler filler;
  private final Random random;
  private final Duration hold;
  private final LongSupplier clock;
  private int round;

  SnapshotInstall(ManagerCluster cluster, Filler filler, Random random, Duration hold, LongSupplier clock) {
    this.cluster = cluster;
    this.filler = filler;
    this.random = random;
    this.hold = hold;
    this.clock = clock;
  }

  Nemesis.Injected inject() throws InterruptedException {
    String leader = cluster.leader().orElseThrow(() -> new IllegalStateException("no leader to take a snapshot"));
    List<String> others = cluster.ids().stream().filter(id -> !id.equals(leader)).toList();
    String victim = others.get(random.nextInt(others.size()));
    List<String> rest = cluster.ids().stream().filter(id -> !id.equals(victim)).toList();
    long installsBefore = count(cluster.logs(victim), INSTALLED);
    long from = cluster.appliedIndex(leader);
    Set<String> allocsBefore = cluster.allocationIds(leader);
    long start = clock.getAsLong();

    String problem;
    String how;
    boolean partitioned = cluster.firewall().available();
    if (partitioned) {
      List<Endpoint> restEnds = rest.stream().map(cluster::endpoint).toList();
      Partition.Proof proof = Partition.cut(cluster.firewall(), Partition.between(List.of(cluster.endpoint(victim)), restEnds));
      problem = proof.problem();
      how = "isolated " + victim + " from " + rest + (proof.note().isEmpty() ? "" : " (" + proof.note() + ")");
    } else {
      problem = cluster.kill(victim);
      how = "SIGKILLed " + victim + " (no firewall here)";
    }
    // Two snapshot intervals past the cut, plus the interval of log each manager keeps behind
    // a snapshot: then the leader no longer holds the entries the victim lacks.
    long target = from + 3L * cluster.settings().snapshotEvery();
    String key = "chaos-snap-" + (++round);
    Fill fill = fillUntilSnapshotted(rest, key, target, Duration.ofSeconds(90));
    boolean newAllocs = awaitNewAllocation(rest, allocsBefore, start);
    String detail = how + " at index " + from + "; " + fill.writes() + " writes (" + fill.acked() + " ok) until "
        + (fill.reached() ? "every other manager snapshotted at index >= " + target + " (" + fill.snapshots() + ")"
            : "time ran out, snapshots " + fill.snapshots() + " short of index " + target)
        + (allocsBefore.isEmpty() && !newAllocs ? "" : newAllocs ? "; the leader placed allocations it has not seen"
            : "; no new allocation was placed meanwhile");
    if (!fill.reached() && problem.isEmpty()) problem = "the others never snapshotted past " + victim + "'s index";
    String injectProblem = problem;
    return new Nemesis.Injected(detail, () -> heal(victim, partitioned, installsBefore), injectProblem);
  }

  private record Fill(int writes, int acked, boolean reached, String snapshots) {}

  private Fill fillUntilSnapshotted(List<String> writers, String key, long target, Duration bound) {
    long end = System.nanoTime() + bound.toNanos();
    int writes = 0;
    int acked = 0;
    int peer = 0;
    long checked = 0;
    String snapshots = "";
    while (System.nanoTime() < end) {
      if (System.nanoTime() - checked > 1_000_000_000L) {
        checked = System.nanoTime();
        snapshots = snapshotIndexes(writers);
        if (writers.stream().allMatch(id -> lastSnapshot(cluster.logs(id)) >= target)) {
          return new Fill(writes, acked, true, snapshots);
        }
      }
      writes++;
      if (filler.write(key, writers.get(peer % writers.size()))) acked++;
      else peer++;
    }
    return new Fill(writes, acked, false, snapshotIndexes(writers));
  }

  private String snapshotIndexes(List<String> ids) {
    StringBuilder b = new StringBuilder();
    for (String id : ids) b.append(b.isEmpty() ? "" : ", ").append(id).append(" at ").append(lastSnapshot(cluster.logs(id)));
    return b.toString();
  }

  /** Holds the cut for at least the hold time, and up to 30 s until the leader placed an allocation that is new. */
  private boolean awaitNewAllocation(List<String> rest, Set<String> before, long start) throws InterruptedException {
    long minEnd = start + hold.toNanos();
    long maxEnd = start + Duration.ofSeconds(30).toNanos();
    while (true) {
      boolean changed = false;
      if (!before.isEmpty()) {
        for (String id : rest) {
          try {
            changed = !before.containsAll(cluster.allocationIds(id));
            break;
          } catch (StatusRuntimeException e) {
            // ask the next one
          }
        }
      }
      long now = clock.getAsLong();
      if (now >= minEnd && (changed || before.isEmpty() || now >= maxEnd)) return changed;
      Thread.sleep(500);
    }
  }

  private Nemesis.Healed heal(String victim, boolean partitioned, long installsBefore) throws InterruptedException {
    String problem = "";
    if (partitioned) {
      List<String> left = cluster.firewall().healAll();
      if (!left.isEmpty()) problem = "heal failed: " + String.join("; ", left);
    } else {
      cluster.restart(victim);
    }
    cluster.resetBackoff();
    boolean installed = false;
    long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!installed && System.nanoTime() < end) {
      installed = count(cluster.logs(victim), INSTALLED) > installsBefore;
      if (!installed) Thread.sleep(500);
    }
    if (!installed) {
      return new Nemesis.Healed(victim + " did not log a snapshot install within 60 s",
          join(problem, victim + " caught up without a snapshot install: the scenario was not tested"));
    }
    String caughtUp = awaitCaughtUp(victim, Duration.ofSeconds(60));
    String transfer = transfer(victim);
    return new Nemesis.Healed(victim + " loaded the snapshot installed from the leader; " + caughtUp + "; " + transfer,
        transfer.startsWith("leadership moved") ? problem : join(problem, transfer));
  }

  /**
   * Waits until {@code victim} answers a linearizable read at or past the index the leader had
   * applied when the wait began: its log then reaches the leader's, so it can win the election a
   * transfer starts. A transfer to a peer still behind makes it start elections the others refuse
   * (its log is shorter), each at a higher term, and ends on another leader.
   */
  private String awaitCaughtUp(String victim, Duration bound) throws InterruptedException {
    long leaderIndex = -1;
    String last = "";
    long end = System.nanoTime() + bound.toNanos();
    while (System.nanoTime() < end) {
      try {
        if (leaderIndex < 0) leaderIndex = cluster.appliedIndex(cluster.leader().orElseThrow());
        long at = cluster.appliedIndex(victim);
        if (at >= leaderIndex) return victim + " caught up (index " + at + " >= " + leaderIndex + ")";
        last = "at index " + at + " of " + leaderIndex;
      } catch (StatusRuntimeException | NoSuchElementException e) {
        last = e instanceof StatusRuntimeException s ? s.getStatus().getCode().toString() : "no leader";
      }
      cluster.resetBackoff();
      Thread.sleep(500);
    }
    return victim + " did not catch up within " + bound.toSeconds() + " s (" + last + ")";
  }

  /** Moves the leadership to {@code target}, a few tries while it settles; says what came of it. */
  private String transfer(String target) throws InterruptedException {
    String last = "";
    for (int attempt = 0; attempt < 5; attempt++) {
      Optional<String> leader = cluster.leader();
      if (leader.isPresent() && leader.get().equals(target)) return "leadership moved to " + target;
      try {
        cluster.transferLeadership(leader.orElse(target), target, Duration.ofSeconds(10));
      } catch (StatusRuntimeException e) {
        last = e.getStatus().getCode() + " " + e.getStatus().getDescription();
      }
      cluster.resetBackoff();
      Thread.sleep(1000);
    }
    return "leadership did not move to " + target + " (" + (last.isEmpty() ? "another peer kept it" : last) + ")";
  }

  static long count(String log, String line) {
    long n = 0;
    for (int i = log.indexOf(line); i >= 0; i = log.indexOf(line, i + 1)) n++;
    return n;
  }

  /** The index of the newest snapshot a manager's log reports, or -1. */
  static long lastSnapshot(String log) {
    long last = -1;
    Matcher m = SNAPSHOT_TAKEN.matcher(log);
    while (m.find()) last = Math.max(last, Long.parseLong(m.group(1)));
    return last;
  }

  private static String join(String a, String b) {
    return a.isEmpty() ? b : a + "; " + b;
  }
}
