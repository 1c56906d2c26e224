package gantry.chaos.checker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Checks what really ran on the agents against a service job whose count the workload
 * changes during the run:
 * <ul>
 *   <li>no allocation id runs on two agents in the same sample;
 *   <li>no allocation is started twice on one agent unless a restart of that agent (or the
 *       task's restart policy) explains it ({@link TaskStarts});
 *   <li>more replicas than the count allowed at that moment run only in episodes no longer
 *       than the fencing window (the time a cut-off agent may keep a replica the managers
 *       already replaced: its {@code disconnect.stop_after}, plus slack for sampling and for
 *       stopping the replicas a scale-down removes);
 *   <li>after the faults were healed, the job converged to exactly its count, as the
 *       managers and the processes both show, within the bound.
 * </ul>
 * The count allowed at a moment is the largest one possibly in force then, from the job's
 * versions as acknowledged changes and reads showed them ({@link AllowedCount}).
 */
public final class AllocationChecker {
  public static final String NAME = "allocations";

  /** One task process seen: its allocation, agent, host pid and start time (clock ticks after boot). */
  public record TaskProcess(String alloc, String agent, long pid, long startTicks) {}

  /** One look at the agents: every task process of the job that ran. */
  public record Sample(long atNanos, List<TaskProcess> processes) {
    public Sample {
      processes = List.copyOf(processes);
    }

    /** Allocation id to the agents where a process of it ran. */
    public Map<String, Set<String>> running() {
      Map<String, Set<String>> out = new HashMap<>();
      for (TaskProcess p : processes) out.computeIfAbsent(p.alloc(), k -> new HashSet<>()).add(p.agent());
      return out;
    }
  }

  /**
   * A change of the job's count, writing {@code marker} into the spec: invoked, then
   * acknowledged at {@code version} (ok), or not known ({@code completeNanos = Long.MAX_VALUE},
   * {@code version} 0). Failed changes had no effect and are left out.
   */
  public record Scale(long invokeNanos, long completeNanos, int count, boolean ok, String marker, long version) {}

  /** A linearizable read of the job: the version, marker and count it showed. */
  public record JobRead(long invokeNanos, long completeNanos, long version, String marker, int count) {}

  /** An agent's container was killed at {@code killedNanos} and started again at {@code startedNanos}. */
  public record AgentRestart(String agent, long killedNanos, long startedNanos) {}

  /** The post-heal wait's outcome. */
  public record Convergence(boolean converged, long millis, Duration bound, String detail) {}

  private final List<Scale> scales;
  private final AllowedCount allowed;
  private final TaskStarts starts;
  private final Duration window;

  /**
   * @param scales every ok or unknown change of the count, the first register included
   * @param reads every read of the job
   * @param restarts every restart of an agent
   * @param settle how long a lowered count still allows the higher one
   * @param policyRestarts restarts of one allocation on one agent the task's failures may cause
   */
  public AllocationChecker(List<Scale> scales, List<JobRead> reads, List<AgentRestart> restarts, Duration window,
      Duration settle, int policyRestarts) {
    this.scales = List.copyOf(scales);
    this.allowed = new AllowedCount(scales, reads, settle.toNanos());
    this.starts = new TaskStarts(restarts, policyRestarts);
    this.window = window;
  }

  /** The largest count that may be in force at {@code t}. */
  int allowed(long t) {
    return allowed.at(t);
  }

  public Verdict check(List<Sample> samples, Convergence convergence) {
    List<String> problems = new ArrayList<>(allowed.problems());
    long longest = 0;
    int episodes = 0;
    long excessSince = -1;
    String excessWhat = "";
    for (Sample s : samples) {
      Map<String, Set<String>> running = s.running();
      for (var e : running.entrySet()) {
        if (e.getValue().size() > 1 && problems.size() < 5) {
          problems.add("allocation " + e.getKey() + " ran on " + e.getValue() + " at once at " + TaskStarts.seconds(s.atNanos()));
        }
      }
      int live = running.size();
      int allowedNow = allowed(s.atNanos());
      if (live > allowedNow) {
        if (excessSince < 0) {
          excessSince = s.atNanos();
          episodes++;
          excessWhat = live + " replicas where " + allowedNow + " were wanted";
        }
      } else if (excessSince >= 0) {
        long d = s.atNanos() - excessSince;
        longest = Math.max(longest, d);
        if (d > window.toNanos() && problems.size() < 5) {
          problems.add(excessWhat + " for " + millis(d) + " ms from " + TaskStarts.seconds(excessSince)
              + ", longer than the fencing window of " + window.toMillis() + " ms");
        }
        excessSince = -1;
      }
    }
    if (excessSince >= 0) problems.add(excessWhat + " still at the last sample (since " + TaskStarts.seconds(excessSince) + ")");
    TaskStarts.Result started = starts.check(samples, 5);
    problems.addAll(started.problems());
    if (!convergence.converged()) {
      problems.add("not converged within " + convergence.bound().toSeconds() + " s after healing: " + convergence.detail());
    }
    if (samples.isEmpty()) problems.add("no samples of the agents were taken");
    String summary = samples.size() + " samples, " + scales.size() + " counts set; " + started.starts() + " task starts, "
        + started.explained() + " of them restarts explained by an agent restart; " + episodes
        + " episode(s) above the wanted count, longest " + millis(longest) + " ms (window " + window.toMillis()
        + " ms); converged after healing in " + convergence.millis() + " ms";
    return problems.isEmpty()
        ? new Verdict(NAME, true, samples.size(), summary)
        : new Verdict(NAME, false, samples.size(), String.join("; ", problems) + " (" + summary + ")");
  }

  private static long millis(long nanos) {
    return nanos / 1_000_000;
  }
}
