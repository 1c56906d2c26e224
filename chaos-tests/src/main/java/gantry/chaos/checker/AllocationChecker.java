package gantry.chaos.checker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks what really ran on the agents against a service job's count:
 * <ul>
 *   <li>no allocation id runs on two agents in the same sample;
 *   <li>more than {@code count} replicas run at once only in episodes no longer than the
 *       fencing window (the time a cut-off agent may keep a replica the managers already
 *       replaced: its {@code disconnect.stop_after} plus sampling slack);
 *   <li>after the faults were healed, the job converged to exactly {@code count} running
 *       replicas, as the managers and the processes both show, within the bound.
 * </ul>
 */
public final class AllocationChecker {
  /** One look at the agents: allocation id to the agents where a process of it ran. */
  public record Sample(long atNanos, Map<String, Set<String>> running) {}

  /** The post-heal wait's outcome. */
  public record Convergence(boolean converged, long millis, Duration bound, String detail) {}

  private final int count;
  private final Duration window;

  public AllocationChecker(int count, Duration window) {
    this.count = count;
    this.window = window;
  }

  public Verdict check(List<Sample> samples, Convergence convergence) {
    List<String> problems = new ArrayList<>();
    long longest = 0;
    int episodes = 0;
    long excessSince = -1;
    int excessPeak = 0;
    for (Sample s : samples) {
      for (var e : s.running().entrySet()) {
        if (e.getValue().size() > 1 && problems.size() < 5) {
          problems.add("allocation " + e.getKey() + " ran on " + e.getValue() + " at once at " + seconds(s.atNanos()));
        }
      }
      int live = s.running().size();
      if (live > count) {
        if (excessSince < 0) {
          excessSince = s.atNanos();
          episodes++;
          excessPeak = live;
        }
        excessPeak = Math.max(excessPeak, live);
      } else if (excessSince >= 0) {
        long d = s.atNanos() - excessSince;
        longest = Math.max(longest, d);
        if (d > window.toNanos() && problems.size() < 5) {
          problems.add(excessPeak + " replicas of " + count + " ran for " + millis(d) + " ms from " + seconds(excessSince)
              + ", longer than the fencing window of " + window.toMillis() + " ms");
        }
        excessSince = -1;
      }
    }
    if (excessSince >= 0) {
      problems.add(excessPeak + " replicas of " + count + " still ran at the last sample (since " + seconds(excessSince) + ")");
    }
    if (!convergence.converged()) {
      problems.add("not converged to " + count + " running replicas within " + convergence.bound().toSeconds() + " s after healing: "
          + convergence.detail());
    }
    if (samples.isEmpty()) problems.add("no samples of the agents were taken");
    String summary = samples.size() + " samples; " + episodes + " episode(s) above " + count + " replicas, longest "
        + millis(longest) + " ms (window " + window.toMillis() + " ms); converged after healing in "
        + convergence.millis() + " ms";
    return problems.isEmpty()
        ? new Verdict("allocations", true, samples.size(), summary)
        : new Verdict("allocations", false, samples.size(), String.join("; ", problems) + " (" + summary + ")");
  }

  private static long millis(long nanos) {
    return nanos / 1_000_000;
  }

  private static String seconds(long nanos) {
    return String.format(java.util.Locale.ROOT, "%.3f s", nanos / 1e9);
  }
}
