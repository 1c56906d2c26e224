package gantry.agent.health;

import gantry.agent.driver.CommandResult;
import gantry.agent.driver.DriverException;
import gantry.agent.driver.TaskDriver;
import gantry.agent.driver.TaskHandle;

/** Probes one task: exec checks through its driver, network checks through the prober. */
public final class TaskProbes {
  private TaskProbes() {}

  /** Never throws: a driver failure is an unhealthy result naming it. */
  public static HealthProber.Result probe(HealthCheck check, HealthProber network, TaskDriver driver, TaskHandle task) {
    if (!(check instanceof HealthCheck.Exec exec)) {
      return network.probe(check);
    }
    String what = String.join(" ", exec.command());
    try {
      CommandResult r = driver.runInTask(task, exec.command(), exec.timeout());
      String out = firstLine(r.output());
      if (r.exitCode() == 0) {
        return new HealthProber.Result(true, what + ": exit 0");
      }
      return new HealthProber.Result(false, what + ": " + (r.exitCode() < 0 ? out : "exit " + r.exitCode()
          + (out.isEmpty() ? "" : " (" + out + ")")));
    } catch (DriverException | IllegalArgumentException e) {
      return new HealthProber.Result(false, what + ": " + e.getMessage());
    }
  }

  private static String firstLine(String s) {
    String t = s.strip();
    int nl = t.indexOf('\n');
    String line = nl < 0 ? t : t.substring(0, nl);
    return line.length() > 200 ? line.substring(0, 200) + "..." : line;
  }
}
