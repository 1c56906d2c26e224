package gantry.chaos.checker;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The largest replica count that may be in force at a moment, for a job whose count the
 * workload changes. Every count change writes a unique marker into the spec, so each job
 * version names the change that made it; versions only grow, and every observation (the
 * answer of an acknowledged change, a linearizable read) pins "version v was in force at
 * some point between its invoke and its completion".
 *
 * <p>Version v is possibly in force at t when it may already have been applied (its change
 * was invoked by t) and its successor is not yet certainly applied (no observation of a
 * version above v completed before t). A version no observation showed (a gap) is one of the
 * changes with an unknown outcome that no observation matched, invoked before the gap was
 * closed. Such a change may also land after the last version seen, but only after the last
 * observation of that version was invoked. So an unknown change raises the count only until
 * it is known to have failed or been overwritten: until an observation shows a later version
 * that is not it. A count lowered at t still allows the higher one until {@code t + settle}:
 * stopping what a scale-down removed takes a moment.
 */
final class AllowedCount {
  private record Version(long earliest, int count) {}

  private final Map<Long, Version> versions = new HashMap<>();
  private final Map<Long, Long> appliedBy = new HashMap<>(); // version -> an observation of it or later completed by then
  private final List<AllocationChecker.Scale> unmatched = new ArrayList<>();
  private final List<String> problems = new ArrayList<>();
  private final long maxSeen;
  private final long lastSeenInvoke;
  private final long settleNanos;

  AllowedCount(List<AllocationChecker.Scale> scales, List<AllocationChecker.JobRead> reads, long settleNanos) {
    this.settleNanos = settleNanos;
    Map<String, AllocationChecker.Scale> byMarker = new HashMap<>();
    for (AllocationChecker.Scale s : scales) byMarker.put(s.marker(), s);
    List<AllocationChecker.JobRead> seen = new ArrayList<>(reads);
    for (AllocationChecker.Scale s : scales) {
      if (s.ok()) seen.add(new AllocationChecker.JobRead(s.invokeNanos(), s.completeNanos(), s.version(), s.marker(), s.count()));
    }
    Map<Long, String> markerOf = new HashMap<>();
    Set<String> matched = new HashSet<>();
    long max = 0;
    long maxInvoke = Long.MIN_VALUE;
    for (AllocationChecker.JobRead r : seen) {
      if (r.version() <= 0) continue;
      String before = markerOf.putIfAbsent(r.version(), r.marker());
      if (before != null && !before.equals(r.marker()) && problems.size() < 5) {
        problems.add("version " + r.version() + " of the job was seen with two specs (" + before + ", " + r.marker() + ")");
      }
      AllocationChecker.Scale by = byMarker.get(r.marker());
      versions.putIfAbsent(r.version(), new Version(by == null ? Long.MIN_VALUE : by.invokeNanos(), r.count()));
      matched.add(r.marker());
      if (r.version() > max) {
        max = r.version();
        maxInvoke = r.invokeNanos();
      } else if (r.version() == max) {
        maxInvoke = Math.max(maxInvoke, r.invokeNanos());
      }
    }
    for (AllocationChecker.JobRead r : seen) {
      for (long v = 1; v <= r.version(); v++) appliedBy.merge(v, r.completeNanos(), Math::min);
    }
    for (AllocationChecker.Scale s : scales) {
      if (!s.ok() && !matched.contains(s.marker())) unmatched.add(s);
    }
    this.maxSeen = max;
    this.lastSeenInvoke = maxInvoke;
  }

  /** Specs seen that contradict each other; empty normally. */
  List<String> problems() {
    return List.copyOf(problems);
  }

  /** The largest count possibly in force at some moment of [t - settle, t]. */
  int at(long t) {
    long from = t - settleNanos;
    int max = 0;
    for (long v = 1; v <= maxSeen; v++) {
      long successorBy = appliedBy.getOrDefault(v + 1, Long.MAX_VALUE);
      if (successorBy <= from) continue; // v + 1 was certainly in force before the interval
      Version known = versions.get(v);
      if (known != null) {
        if (known.earliest() <= t) max = Math.max(max, known.count());
        continue;
      }
      // A gap: one of the unmatched unknown changes, invoked before the gap was known closed.
      long closedBy = appliedBy.getOrDefault(v, Long.MAX_VALUE);
      for (AllocationChecker.Scale u : unmatched) {
        if (u.invokeNanos() <= t && u.invokeNanos() < closedBy) max = Math.max(max, u.count());
      }
    }
    // After the last version seen: an unmatched change may still land, but only after the
    // last observation of that version was sent (it would have shown a later version).
    for (AllocationChecker.Scale u : unmatched) {
      if (u.invokeNanos() <= t && t > lastSeenInvoke) max = Math.max(max, u.count());
    }
    return max;
  }
}
