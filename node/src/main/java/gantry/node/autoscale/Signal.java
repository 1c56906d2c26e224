package gantry.node.autoscale;

import java.util.Set;

/**
 * What a group's running allocations reported over one window ending now: utilization in percent
 * of their reservation, averaged per allocation over its samples and then over the allocations
 * that reported. An allocation with no sample in the window is in {@code silent} and left out of
 * the averages: a missing report is not zero load.
 *
 * @param coveredMs age of the oldest sample in the window (0 without samples): how much of the
 *     window the reports span
 */
public record Signal(long windowMs, double cpuPercent, double memoryPercent, long coveredMs, Set<String> reporting,
    Set<String> silent) {
  /**
   * Agents report about every 5 s and a sample measures the interval before it, so samples whose
   * oldest is {@code window - 5 s} old already describe the whole window.
   */
  public static final long REPORT_INTERVAL_MS = 5_000;

  public Signal {
    reporting = Set.copyOf(reporting);
    silent = Set.copyOf(silent);
  }

  /** Whether any allocation reported: without one there is no signal and no decision. */
  public boolean hasSamples() {
    return !reporting.isEmpty();
  }

  /**
   * Whether the reports span the window, so a spike shorter than it cannot be mistaken for load.
   * The slack is one default reporting interval, but at most half the window: agents that report
   * every second (--metrics-interval 1s) under a 5 s window still need 2.5 s of reports.
   */
  public boolean coversWindow() {
    return hasSamples() && coveredMs >= windowMs - Math.min(REPORT_INTERVAL_MS, windowMs / 2);
  }
}
