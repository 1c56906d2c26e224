package gantry.chaos.checker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Checks what really ran on the agents against a service job whose count the workload
 * changes during the run:
 * <ul>
 *   <li>no allocation id runs on two agents in the same sample;
 *   <li>more replicas than the count allowed at that moment run only in episodes no longer
 *       than the fencing window (the time a cut-off agent may keep a replica the managers
 *       already replaced: its {@code disconnect.stop_after}, plus slack for sampling and for
 *       stopping the replicas a scale-down removes);
 *   <li>after the faults were healed, the job converged to exactly its count, as the
 *       managers and the processes both show, within the bound.
 * </ul>
 * The count allowed at time t is the largest one that may be in force: that of the last
 * scale (or the first register) acknowledged before t - settle, of every scale invoked
 * since, and of every scale with an unknown outcome invoked before t (it may still take
 * effect late). {@code settle} gives a scale-down time to stop what it removed: replicas
 * above a count the cluster has only just lowered are a matter of speed, not of safety.
 * Failed scales had no effect and are left out.
 */
public final class AllocationChecker {
  public static final String NAME = "allocations";

  /** One look at the agents: allocation id to the agents where a process of it ran. */
  public record Sample(long atNanos, Map<String, Set<String>> running) {}

  /**
   * A change of the job's count: invoked, then acknowledged (ok) or not known; unknown ones
   * have {@code completeNanos = Long.MAX_VALUE}.
   */
  public record Scale(long invokeNanos, long completeNanos, int count, boolean ok) {}

  /** The post-heal wait's outcome. */
  public record Convergence(boolean converged, long millis, Duration bound, String detail) {}

  private final List<Scale> scales;
  private final Duration window;
  private final long settleNanos;

  /** @param scales every ok or unknown change of the count, the first register included */
  public AllocationChecker(List<Scale> scales, Duration window, Duration settle) {
    this.scales = List.copyOf(scales);
    this.window = window;
    this.settleNanos = settle.toNanos();
  }

  /** The largest count that may be in force at {@code t}. */
  int allowed(long t) {
    long settled = Long.MIN_VALUE; // invoke time of the last scale acknowledged before t
    int settledCount = 0;
    for (Scale s : scales) {
      if (s.ok() && s.completeNanos() <= t - settleNanos && s.invokeNanos() >= settled) {
        settled = s.invokeNanos();
        settledCount = s.count();
      }
    }
    int max = settledCount;
    for (Scale s : scales) {
      if (s.invokeNanos() <= t && (s.invokeNanos() >= settled || !s.ok())) max = Math.max(max, s.count());
    }
    return max;
  }

  public Verdict check(List<Sample> samples, Convergence convergence) {
    List<String> problems = new ArrayList<>();
    long longest = 0;
    int episodes = 0;
    long excessSince = -1;
    String excessWhat = "";
    for (Sample s : samples) {
      for (var e : s.running().entrySet()) {
        if (e.getValue().size() > 1 && problems.size() < 5) {
          problems.add("allocation " + e.getKey() + " ran on " + e.getValue() + " at once at " + seconds(s.atNanos()));
        }
      }
      int live = s.running().size();
      int allowed = allowed(s.atNanos());
      if (live > allowed) {
        if (excessSince < 0) {
          excessSince = s.atNanos();
          episodes++;
          excessWhat = live + " replicas where " + allowed + " were wanted";
        }
      } else if (excessSince >= 0) {
        long d = s.atNanos() - excessSince;
        longest = Math.max(longest, d);
        if (d > window.toNanos() && problems.size() < 5) {
          problems.add(excessWhat + " for " + millis(d) + " ms from " + seconds(excessSince)
              + ", longer than the fencing window of " + window.toMillis() + " ms");
        }
        excessSince = -1;
      }
    }
    if (excessSince >= 0) problems.add(excessWhat + " still at the last sample (since " + seconds(excessSince) + ")");
    if (!convergence.converged()) {
      problems.add("not converged within " + convergence.bound().toSeconds() + " s after healing: " + convergence.detail());
    }
    if (samples.isEmpty()) problems.add("no samples of the agents were taken");
    String summary = samples.size() + " samples, " + scales.size() + " counts set; " + episodes
        + " episode(s) above the wanted count, longest " + millis(longest) + " ms (window " + window.toMillis()
        + " ms); converged after healing in " + convergence.millis() + " ms";
    return problems.isEmpty()
        ? new Verdict(NAME, true, samples.size(), summary)
        : new Verdict(NAME, false, samples.size(), String.join("; ", problems) + " (" + summary + ")");
  }

  private static long millis(long nanos) {
    return nanos / 1_000_000;
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.3f s", nanos / 1e9);
  }
}
