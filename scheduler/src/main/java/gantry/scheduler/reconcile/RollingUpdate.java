package gantry.scheduler.reconcile;

import gantry.scheduler.AllocationRules;
import gantry.v1.Allocation;
import gantry.v1.DeploymentGroup;
import gantry.v1.GroupSpec;
import java.util.List;

/**
 * How many allocations of an older version a group may replace right now: the one rule of a
 * rolling update.
 *
 * <pre>
 * group                                              room
 * no update policy, or max_parallel 0                all (replaced at once)
 * an allocation of the current version unhealthy    0 (the roll-out failed: it stops here)
 * the deployment is paused                           0
 * the group is in its canary phase                   0 replacements; canaries: desired canaries -
 *                                                    live canaries of the current version
 * otherwise                                          max_parallel - allocations of the current
 *                                                    version that are live and not yet healthy
 *                                                    (system groups: or healthy less than stagger ago)
 * </pre>
 *
 * Health is each allocation's {@code deploy_health}, decided by its agent after
 * {@code min_healthy_time} (or its failure); the replay of that report asks for a new
 * evaluation, which finds room again.
 */
public final class RollingUpdate {
  private RollingUpdate() {}

  /**
   * @param group the group's allocations, any version and status
   * @return how many replacements may start now ({@link Integer#MAX_VALUE} for no limit)
   */
  public static int room(GroupSpec g, long version, List<Allocation> group) {
    return room(g, version, group, 0, 0);
  }

  /**
   * As {@link #room(GroupSpec, long, List)}, where an allocation healthy since less than
   * {@code staggerMs} before {@code nowMs} still counts as waiting (system jobs' stagger).
   */
  public static int room(GroupSpec g, long version, List<Allocation> group, long staggerMs, long nowMs) {
    int maxParallel = g.hasUpdate() ? g.getUpdate().getMaxParallel() : 0;
    if (maxParallel <= 0) return Integer.MAX_VALUE;
    int waiting = 0;
    for (Allocation a : group) {
      if (a.getJobVersion() != version) continue;
      String health = a.getDeployHealth().getStatus();
      if (health.equals(UNHEALTHY)) return 0;
      if (health.isEmpty() && AllocationRules.isLive(a)) waiting++;
      if (staggering(a, staggerMs, nowMs)) waiting++;
    }
    return Math.max(0, maxParallel - waiting);
  }

  /** The pause in a system job's update after each set became healthy: stagger, 30s if not given. */
  public static long staggerMs(GroupSpec g) {
    if (!g.hasUpdate()) return 0;
    return g.getUpdate().hasStaggerMs() ? Math.max(0, g.getUpdate().getStaggerMs()) : DEFAULT_STAGGER_MS;
  }

  public static final long DEFAULT_STAGGER_MS = 30_000;

  /**
   * When the first allocation that holds the update back by its stagger stops doing so (the time
   * to evaluate again), or 0 when none does.
   */
  public static long staggerEndsAt(long version, List<Allocation> group, long staggerMs, long nowMs) {
    long end = 0;
    for (Allocation a : group) {
      if (a.getJobVersion() != version || !staggering(a, staggerMs, nowMs)) continue;
      long at = a.getDeployHealth().getTimeMs() + staggerMs;
      end = end == 0 ? at : Math.min(end, at);
    }
    return end;
  }

  private static boolean staggering(Allocation a, long staggerMs, long nowMs) {
    return staggerMs > 0 && AllocationRules.isLive(a) && a.getDeployHealth().getStatus().equals(HEALTHY)
        && a.getDeployHealth().getTimeMs() + staggerMs > nowMs;
  }

  /**
   * A group still in its canary phase: canaries wanted and not promoted yet. Its canaries run
   * beside the allocations they replace, nothing else is replaced.
   */
  public static boolean inCanaryPhase(DeploymentGroup g) {
    return g != null && g.getDesiredCanaries() > 0 && !g.getPromoted();
  }

  /** How many more canaries a group in its canary phase should place now. */
  public static int canariesToPlace(DeploymentGroup d, long version, List<Allocation> group) {
    int live = 0;
    for (Allocation a : group) {
      if (a.getJobVersion() != version) continue;
      if (a.getDeployHealth().getStatus().equals(UNHEALTHY)) return 0;
      if (a.getCanary() && AllocationRules.isLive(a)) live++;
    }
    return Math.max(0, d.getDesiredCanaries() - live);
  }

  /** {@code deploy_health.status} of an allocation that proved healthy. */
  public static final String HEALTHY = "healthy";
  /** {@code deploy_health.status} of an allocation that failed its health. */
  public static final String UNHEALTHY = "unhealthy";
}
