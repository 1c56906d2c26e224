package gantry.agent.driver;

import java.time.Duration;
import java.util.List;

/**
 * A way to run tasks on this node: Docker containers, plain processes, or nothing at all (sim).
 * The allocation runner owns the task state machine and calls these operations; a driver only
 * performs them and reports what it observes. Implementations are thread-safe. Every failure is a
 * {@link DriverException} with a message a user can act on.
 */
public interface TaskDriver extends AutoCloseable {

  /** The driver's name as job specs spell it: {@code docker}, {@code exec}, {@code sim}. */
  String name();

  /**
   * Starts the task and returns once it runs (not once it is healthy). On failure nothing is
   * left behind: a half-created container or process is removed before the exception.
   */
  TaskHandle start(TaskDescription task);

  /** The task's current state, without waiting. */
  TaskStatus status(TaskHandle handle);

  /**
   * Waits up to {@code timeout} for the task to end and returns its state, which is still
   * {@link TaskStatus.Running} if the timeout passed first.
   */
  default TaskStatus await(TaskHandle handle, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      TaskStatus status = status(handle);
      if (status.isTerminal() || System.nanoTime() - deadline >= 0) {
        return status;
      }
      try {
        Thread.sleep(Math.min(100, Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return status(handle);
      }
    }
  }

  /**
   * Asks the driver to call {@code onEnd} once, on any thread, when the task ends (it exits, is
   * killed or stopped), so that the runner need not poll it to find out; a task that has ended
   * already is reported at once. The driver may also call it when it can no longer be sure to see
   * the end (docker: its event stream was cut); the runner then looks at the task and, if it still
   * runs, watches it again. Returns false when the driver cannot tell (the default: the runner
   * polls {@link #status} instead); the sim driver can, docker through the engine's events and
   * exec for the processes it started itself, so a task costs no pass while nothing happens to it.
   */
  default boolean watch(TaskHandle handle, Runnable onEnd) {
    return false;
  }

  /**
   * Asks the task to end (SIGTERM) and kills it (SIGKILL) if it is still running after
   * {@code grace}. Returns the final state. Stopping an ended task only returns its state.
   */
  TaskStatus stop(TaskHandle handle, Duration grace);

  /**
   * The handles of this allocation's tasks that still run, found again after an agent restart
   * (containers by label, processes by their persisted pid and start time).
   */
  List<TaskHandle> recover(String allocationId);

  /** One sample of the task's CPU and memory use; {@link ResourceUsage#NONE} once it ended. */
  ResourceUsage stats(TaskHandle handle);

  /** The last {@code tailLines} lines the task wrote (stdout, then or interleaved with stderr). */
  String logs(TaskHandle handle, int tailLines);

  /**
   * Runs {@code command} inside the running task, as an exec health check does: in the container
   * for docker ({@code docker exec}), in the task's working directory with its {@code GANTRY_*}
   * environment for exec. Waits up to {@code timeout}; a command still running then is abandoned
   * (exec: killed) and reported as {@link CommandResult#timedOut}.
   *
   * @throws DriverException when the command cannot be started at all
   */
  default CommandResult runInTask(TaskHandle handle, List<String> command, Duration timeout) {
    throw new DriverException(DriverException.Kind.FAILED, "the " + name() + " driver cannot run commands in tasks");
  }

  /** Kills the task if it still runs and removes everything the driver made for it. Idempotent. */
  void destroy(TaskHandle handle);

  /** Releases the driver's own resources; running tasks keep running (an agent restart). */
  @Override
  void close();
}
