package gantry.agent.runner;

import gantry.agent.driver.DriverException;
import gantry.agent.driver.TaskDriver;
import gantry.v1.TaskSpec;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The task drivers of this node by name, and which one runs a task: the task's {@code driver}
 * field, else the node's default. In simulation one driver (sim) runs every task whatever it asks
 * for, while the node still advertises the drivers it pretends to have.
 */
public final class DriverSet implements AutoCloseable {
  private final Map<String, TaskDriver> drivers;
  private final String defaultDriver;
  private final TaskDriver runsAll;
  private final List<String> advertised;

  private DriverSet(Map<String, TaskDriver> drivers, String defaultDriver, TaskDriver runsAll, List<String> advertised) {
    this.drivers = Map.copyOf(drivers);
    this.defaultDriver = defaultDriver;
    this.runsAll = runsAll;
    this.advertised = List.copyOf(advertised);
  }

  /** Real drivers; {@code defaultDriver} runs tasks that name none. */
  public static DriverSet of(List<TaskDriver> drivers, String defaultDriver) {
    Map<String, TaskDriver> byName = new LinkedHashMap<>();
    drivers.forEach(d -> byName.put(d.name(), d));
    return new DriverSet(byName, defaultDriver, null, List.copyOf(byName.keySet()));
  }

  /** One driver runs every task; the node advertises {@code advertised}. */
  public static DriverSet simulated(TaskDriver sim, List<String> advertised) {
    return new DriverSet(Map.of(sim.name(), sim), sim.name(), sim, advertised);
  }

  /** The driver for {@code task}; throws (UNAVAILABLE) when this node lacks it. */
  public TaskDriver forTask(TaskSpec task) {
    if (runsAll != null) {
      return runsAll;
    }
    String name = task.getDriver().isEmpty() ? defaultDriver : task.getDriver();
    TaskDriver d = drivers.get(name);
    if (d == null) {
      throw new DriverException(DriverException.Kind.UNAVAILABLE, "driver " + name
          + " is not available on this node (available: " + String.join(", ", drivers.keySet()) + ")");
    }
    return d;
  }

  /** The driver names Node.drivers lists. */
  public List<String> advertised() {
    return advertised;
  }

  public Collection<TaskDriver> all() {
    return drivers.values();
  }

  /** Closes the drivers' own resources; tasks keep running. */
  @Override
  public void close() {
    for (TaskDriver d : drivers.values()) {
      try {
        d.close();
      } catch (RuntimeException ignored) {
        // closing on the way out
      }
    }
  }
}
