package gantry.node.autoscale;

import java.util.ArrayDeque;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The recent samples of every allocation, fed by the leader as reports arrive and asked for a
 * {@link Signal} per group. Samples older than the maximum age are dropped, and each allocation
 * keeps a bounded number, so an agent reporting too often costs memory only up to a bound.
 *
 * <p>Not thread-safe: it belongs to the leader's event loop, which alone feeds and reads it. It
 * reads no clock; every call says what time it is.
 */
public final class UtilizationWindow {
  /** The longest window the validator allows (10m) and one reporting interval before it. */
  public static final long DEFAULT_MAX_AGE_MS = 10 * 60_000 + Signal.REPORT_INTERVAL_MS;
  /** Above one report a second over the longest window (600); at the usual one per 5 s it holds 120. */
  static final int MAX_SAMPLES_PER_ALLOCATION = 1_000;

  private final long maxAgeMs;
  private final Map<String, ArrayDeque<Sample>> byAllocation = new HashMap<>();

  public UtilizationWindow() {
    this(DEFAULT_MAX_AGE_MS);
  }

  public UtilizationWindow(long maxAgeMs) {
    if (maxAgeMs <= 0) throw new IllegalArgumentException("maxAgeMs must be positive, got " + maxAgeMs);
    this.maxAgeMs = maxAgeMs;
  }

  /** Records a report; a sample of an allocation that reserves nothing is ignored (no percentage). */
  public void add(Sample sample) {
    if (!sample.measurable()) return;
    var samples = byAllocation.computeIfAbsent(sample.allocationId(), id -> new ArrayDeque<>());
    samples.addLast(sample);
    while (samples.size() > MAX_SAMPLES_PER_ALLOCATION) samples.removeFirst();
    dropOld(samples, sample.receivedMs());
  }

  /** Drops samples older than the maximum age, and allocations left without any. */
  public void prune(long nowMs) {
    byAllocation.values().removeIf(samples -> {
      dropOld(samples, nowMs);
      return samples.isEmpty();
    });
  }

  /** Forgets a stopped allocation at once rather than at the maximum age. */
  public void forget(String allocationId) {
    byAllocation.remove(allocationId);
  }

  /** How many allocations have samples. */
  public int allocations() {
    return byAllocation.size();
  }

  /**
   * The use of {@code running} over the window {@code [now - windowMs, now]}. Allocations not in
   * {@code running} are ignored whatever they reported (a stopped one's last samples must not
   * steer its group).
   */
  public Signal signal(Collection<String> running, long windowMs, long nowMs) {
    long from = nowMs - windowMs;
    Set<String> reporting = new HashSet<>();
    Set<String> silent = new HashSet<>();
    double cpuSum = 0;
    double memorySum = 0;
    long oldest = nowMs;
    for (String id : running) {
      double cpu = 0;
      double memory = 0;
      int n = 0;
      for (Sample s : byAllocation.getOrDefault(id, new ArrayDeque<>())) {
        if (s.receivedMs() < from || s.receivedMs() > nowMs) continue;
        cpu += s.cpuPercent();
        memory += s.memoryPercent();
        oldest = Math.min(oldest, s.receivedMs());
        n++;
      }
      if (n == 0) {
        silent.add(id);
        continue;
      }
      reporting.add(id);
      cpuSum += cpu / n;
      memorySum += memory / n;
    }
    int k = reporting.size();
    return new Signal(windowMs, k == 0 ? 0 : cpuSum / k, k == 0 ? 0 : memorySum / k, k == 0 ? 0 : nowMs - oldest,
        reporting, silent);
  }

  private void dropOld(ArrayDeque<Sample> samples, long nowMs) {
    // Reports arrive in the leader's clock order, so the oldest are at the front.
    while (!samples.isEmpty() && samples.peekFirst().receivedMs() < nowMs - maxAgeMs) samples.removeFirst();
  }
}
