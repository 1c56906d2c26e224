package gantry.scheduler.reconcile;

import gantry.scheduler.AllocationRules;
import gantry.v1.Allocation;
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
 * otherwise                                          max_parallel - allocations of the current
 *                                                    version that are live and not yet healthy
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
    int maxParallel = g.hasUpdate() ? g.getUpdate().getMaxParallel() : 0;
    if (maxParallel <= 0) return Integer.MAX_VALUE;
    int waiting = 0;
    for (Allocation a : group) {
      if (a.getJobVersion() != version) continue;
      String health = a.getDeployHealth().getStatus();
      if (health.equals(UNHEALTHY)) return 0;
      if (health.isEmpty() && AllocationRules.isLive(a)) waiting++;
    }
    return Math.max(0, maxParallel - waiting);
  }

  /** {@code deploy_health.status} of an allocation that proved healthy. */
  public static final String HEALTHY = "healthy";
  /** {@code deploy_health.status} of an allocation that failed its health. */
  public static final String UNHEALTHY = "unhealthy";
}
