package gantry.agent.runner;

import gantry.v1.ClientStatus;
import java.util.Collection;

/**
 * The client status of an allocation from the states of its tasks. Pure.
 *
 * <pre>
 *   any task dead and failed                    -> FAILED
 *   every task dead, none failed                -> COMPLETE
 *   no task ever started (pending, or waiting
 *   to retry a start that failed)               -> PENDING
 *   otherwise (running, restarting, some done)  -> RUNNING
 * </pre>
 */
public final class AllocationOutcome {
  private AllocationOutcome() {}

  public static ClientStatus of(Collection<TaskRun> tasks) {
    if (tasks.isEmpty()) {
      return ClientStatus.CLIENT_STATUS_COMPLETE;
    }
    if (tasks.stream().anyMatch(TaskRun::isFailed)) {
      return ClientStatus.CLIENT_STATUS_FAILED;
    }
    if (tasks.stream().allMatch(TaskRun::isDead)) {
      return ClientStatus.CLIENT_STATUS_COMPLETE;
    }
    if (tasks.stream().allMatch(t -> t.startedAt() == null
        && (t.phase() instanceof TaskPhase.Pending || t.phase() instanceof TaskPhase.Restarting))) {
      return ClientStatus.CLIENT_STATUS_PENDING;
    }
    return ClientStatus.CLIENT_STATUS_RUNNING;
  }

  /** True once no task will run again. */
  public static boolean isTerminal(Collection<TaskRun> tasks) {
    return tasks.stream().allMatch(TaskRun::isDead);
  }
}
