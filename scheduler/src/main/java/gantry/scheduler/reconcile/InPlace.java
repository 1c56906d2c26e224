package gantry.scheduler.reconcile;

import gantry.v1.Allocation;
import gantry.v1.ClientStatus;
import gantry.v1.GroupSpec;

/**
 * Which changes of a group need no new allocation: the count (scaling), the update and scaling
 * policies. Anything else in the group (tasks, images, commands, env, resources, ports, checks,
 * restart and disconnect policies, constraints, placement) is a destructive change that the
 * rolling update replaces. Job-level meta is not part of a group and never replaces anything.
 */
public final class InPlace {
  private InPlace() {}

  /**
   * Whether a live allocation of an older version may move to {@code now} where it runs: same
   * tasks, and it runs already or its deploy health was decided (a pending one would wait for a
   * verdict its agent may never give, as its version had no update policy: it is replaced).
   */
  public static boolean allowed(Allocation a, GroupSpec now) {
    boolean settled = a.getClientStatus() == ClientStatus.CLIENT_STATUS_RUNNING || !a.getDeployHealth().getStatus().isEmpty();
    return settled && unchangedTasks(a.getGroupSpec(), now);
  }

  /** Whether {@code now} runs the same tasks as {@code before}, the group spec an allocation was placed with. */
  public static boolean unchangedTasks(GroupSpec before, GroupSpec now) {
    return !before.equals(GroupSpec.getDefaultInstance()) && normalized(before).equals(normalized(now));
  }

  private static GroupSpec normalized(GroupSpec g) {
    return g.toBuilder().clearCount().clearUpdate().clearScaling().build();
  }
}
