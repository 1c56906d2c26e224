package gantry.agent.driver.sim;

import gantry.agent.driver.DriverException;
import gantry.agent.driver.DriverException.Kind;
import gantry.agent.driver.ResourceUsage;
import gantry.agent.driver.TaskDescription;
import gantry.agent.driver.TaskDriver;
import gantry.agent.driver.TaskHandle;
import gantry.agent.driver.TaskStatus;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Accepts tasks and reports them running without running anything: one small map entry per task,
 * no threads, no files, so thousands of simulated nodes fit in one process. Tests and simulations
 * steer it with {@link #exit} and {@link #setUsage}; a task's end is told to its watcher
 * ({@link #watch}), so no runner polls a task that cannot end on its own. The "restart" of a
 * simulated agent is a new session on the same driver instance, so {@link #recover} answers from
 * the map.
 */
public final class SimDriver implements TaskDriver {
  private final Clock clock;
  private final AtomicLong ids = new AtomicLong();
  private final Map<String, SimTask> tasks = new ConcurrentHashMap<>();
  /** alloc/task -> newest handle id, and alloc -> handle ids: keeps start and recover O(1). */
  private final Map<String, String> byTask = new ConcurrentHashMap<>();
  private final Map<String, Set<String>> byAllocation = new ConcurrentHashMap<>();
  /** handle id -> who to tell when that task ends (called once, then dropped). */
  private final Map<String, Runnable> watchers = new ConcurrentHashMap<>();

  private record SimTask(TaskHandle handle, TaskDescription description, TaskStatus status, ResourceUsage usage) {
    SimTask with(TaskStatus s) {
      return new SimTask(handle, description, s, usage);
    }

    SimTask with(ResourceUsage u) {
      return new SimTask(handle, description, status, u);
    }
  }

  public SimDriver(Clock clock) {
    this.clock = clock;
  }

  public SimDriver() {
    this(Clock.systemUTC());
  }

  @Override
  public String name() {
    return "sim";
  }

  @Override
  public TaskHandle start(TaskDescription task) {
    var now = clock.instant();
    TaskHandle handle = new TaskHandle(name(), "sim-" + ids.incrementAndGet(), task.allocationId(), task.taskName(), now);
    String key = task.allocationId() + "/" + task.taskName();
    String previous = byTask.putIfAbsent(key, handle.id());
    if (previous != null) {
      SimTask old = tasks.get(previous);
      if (old != null && !old.status().isTerminal()) {
        throw new DriverException(Kind.ALREADY_RUNNING, "task " + key + " is already running");
      }
      byTask.put(key, handle.id());
    }
    tasks.put(handle.id(), new SimTask(handle, task, new TaskStatus.Running(now), ResourceUsage.NONE));
    byAllocation.computeIfAbsent(task.allocationId(), a -> ConcurrentHashMap.newKeySet()).add(handle.id());
    return handle;
  }

  @Override
  public TaskStatus status(TaskHandle handle) {
    return task(handle).status();
  }

  @Override
  public TaskStatus await(TaskHandle handle, Duration timeout) {
    return status(handle); // nothing runs, so nothing ends unless told to
  }

  @Override
  public TaskStatus stop(TaskHandle handle, Duration grace) {
    SimTask t = tasks.computeIfPresent(handle.id(), (id, old) -> old.status().isTerminal()
        ? old : old.with(new TaskStatus.Killed("stopped by the agent", clock.instant())));
    if (t == null) {
      throw notFound(handle);
    }
    tellWatcher(handle.id());
    return t.status();
  }

  @Override
  public boolean watch(TaskHandle handle, Runnable onEnd) {
    task(handle);
    watchers.put(handle.id(), onEnd);
    if (task(handle).status().isTerminal()) {
      tellWatcher(handle.id()); // it ended before the watch: at once
    }
    return true;
  }

  /** Makes a simulated task end on its own with {@code exitCode}. */
  public void exit(TaskHandle handle, int exitCode) {
    if (tasks.computeIfPresent(handle.id(), (id, old) -> old.status().isTerminal()
        ? old : old.with(new TaskStatus.Exited(exitCode, clock.instant()))) == null) {
      throw notFound(handle);
    }
    tellWatcher(handle.id());
  }

  /** Sets what {@link #stats} reports for a running simulated task. */
  public void setUsage(TaskHandle handle, ResourceUsage usage) {
    if (tasks.computeIfPresent(handle.id(), (id, old) -> old.with(usage)) == null) {
      throw notFound(handle);
    }
  }

  /** Number of tasks the driver holds (running or ended, until destroyed). */
  public int size() {
    return tasks.size();
  }

  @Override
  public List<TaskHandle> recover(String allocationId) {
    return byAllocation.getOrDefault(allocationId, Set.of()).stream()
        .map(tasks::get)
        .filter(t -> t != null && !t.status().isTerminal())
        .map(SimTask::handle)
        .toList();
  }

  @Override
  public ResourceUsage stats(TaskHandle handle) {
    SimTask t = task(handle);
    return t.status().isTerminal() ? ResourceUsage.NONE : t.usage();
  }

  @Override
  public String logs(TaskHandle handle, int tailLines) {
    task(handle);
    return "";
  }

  /** Simulated tasks pass every command: an exec check of a simulated task is healthy. */
  @Override
  public gantry.agent.driver.CommandResult runInTask(TaskHandle handle, List<String> command, Duration timeout) {
    task(handle);
    return new gantry.agent.driver.CommandResult(0, "");
  }

  @Override
  public void destroy(TaskHandle handle) {
    watchers.remove(handle.id());
    if (tasks.remove(handle.id()) == null) {
      return;
    }
    byTask.remove(handle.allocationId() + "/" + handle.taskName(), handle.id());
    Set<String> ids = byAllocation.get(handle.allocationId());
    if (ids != null) {
      ids.remove(handle.id());
      if (ids.isEmpty()) {
        byAllocation.remove(handle.allocationId(), ids);
      }
    }
  }

  @Override
  public void close() {
    // nothing held
  }

  /** Tells the task's watcher, if any, that it ended; each watcher is told once. */
  private void tellWatcher(String handleId) {
    Runnable w = watchers.remove(handleId);
    if (w != null) {
      w.run();
    }
  }

  private SimTask task(TaskHandle handle) {
    SimTask t = tasks.get(handle.id());
    if (t == null) {
      throw notFound(handle);
    }
    return t;
  }

  private static DriverException notFound(TaskHandle handle) {
    return new DriverException(Kind.TASK_NOT_FOUND, "sim task " + handle.id() + " (" + handle.allocationId()
        + "/" + handle.taskName() + ") is unknown");
  }
}
