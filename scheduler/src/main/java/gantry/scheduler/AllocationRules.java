package gantry.scheduler;

import gantry.v1.Allocation;
import gantry.v1.ClientStatus;
import gantry.v1.DesiredStatus;

/**
 * The one place that says whether an allocation is finished or still holds its node's
 * resources. Every component (scheduler, plan checks, replay, dispatcher, views) asks here.
 */
public final class AllocationRules {
  private AllocationRules() {}

  /** The client reported an end: complete, failed or lost. A finished allocation never runs again. */
  public static boolean isTerminal(ClientStatus s) {
    return s == ClientStatus.CLIENT_STATUS_COMPLETE || s == ClientStatus.CLIENT_STATUS_FAILED
        || s == ClientStatus.CLIENT_STATUS_LOST;
  }

  /** Wanted running and not finished on the client. Only these use resources. */
  public static boolean isLive(Allocation a) {
    return a.getDesiredStatus() == DesiredStatus.DESIRED_STATUS_RUN && !isTerminal(a.getClientStatus());
  }

  /** Told to stop but not yet reported finished: its agent still has to stop it. */
  public static boolean isStopping(Allocation a) {
    return a.getDesiredStatus() == DesiredStatus.DESIRED_STATUS_STOP && !isTerminal(a.getClientStatus());
  }
}
