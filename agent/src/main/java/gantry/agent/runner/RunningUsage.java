package gantry.agent.runner;

import gantry.agent.driver.DriverException;
import gantry.agent.driver.ResourceUsage;
import gantry.agent.driver.TaskDriver;
import gantry.agent.driver.TaskHandle;
import java.util.Map;
import java.util.function.Function;

/**
 * The CPU and memory an allocation's running tasks use now: the sum of their drivers' samples. A
 * task whose driver cannot say (it just ended) counts for nothing.
 */
record RunningUsage(double cpuPercent, double memoryMiB) {
  static RunningUsage of(Map<String, TaskHandle> handles, Map<String, TaskRun> runs, Function<String, TaskDriver> driverFor) {
    double cpu = 0;
    double mem = 0;
    for (var e : handles.entrySet()) {
      if (runs.get(e.getKey()).phase() instanceof TaskPhase.Running) {
        try {
          ResourceUsage u = driverFor.apply(e.getKey()).stats(e.getValue());
          cpu += u.cpuPercent();
          mem += u.memoryMiB();
        } catch (DriverException ex) {
          // gone between the poll and the sample
        }
      }
    }
    return new RunningUsage(cpu, mem);
  }
}
