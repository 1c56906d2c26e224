package gantry.agent.runner;

import gantry.agent.driver.TaskDriver;
import gantry.agent.driver.TaskHandle;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which of an allocation's tasks their driver watches ({@link TaskDriver#watch}): those need not
 * be polled. A driver's call takes its task out, on the driver's thread, and wakes the runner; a
 * pass that finds the task still running (the driver could no longer be sure to see its end)
 * watches it again.
 */
final class TaskWatches {
  private final Set<String> watched = ConcurrentHashMap.newKeySet();
  private final Runnable wake;

  /** {@code wake} asks the runner for a pass; it is called on the driver's thread. */
  TaskWatches(Runnable wake) {
    this.wake = wake;
  }

  /**
   * Asks {@code d} to tell when {@code name}'s task (handle {@code h}) ends. Marked before asking,
   * so a call that comes at once (or while asking) is not undone.
   */
  void watch(String name, TaskDriver d, TaskHandle h) {
    watched.add(name);
    boolean told = d.watch(h, () -> {
      watched.remove(name);
      wake.run();
    });
    if (!told) {
      watched.remove(name);
    }
  }

  /** As {@link #watch}, unless it is watched already: for a task a pass found still running. */
  void watchAgain(String name, TaskDriver d, TaskHandle h) {
    if (!watched.contains(name)) {
      watch(name, d, h);
    }
  }

  /** True while {@code name}'s driver will tell when its task ends. */
  boolean contains(String name) {
    return watched.contains(name);
  }
}
