package gantry.agent.runner;

import gantry.agent.driver.PortMapping;
import gantry.agent.driver.TaskDescription;
import gantry.v1.AllocatedPort;
import gantry.v1.Allocation;
import gantry.v1.Assignment;
import gantry.v1.TaskSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Builds the driver's {@link TaskDescription} from an assignment. Ports: the allocation's ports of
 * this task map host -> to (to = host when the spec gave none). The task also gets
 * {@code GANTRY_HOST_PORT_<NAME>} (the host port) and {@code GANTRY_PORT_<NAME>} (the port to
 * listen on: {@code to} in a container, the host port for a process, which shares the host's
 * network), and {@code GANTRY_NODE_NAME}, the node it runs on.
 */
public final class TaskDescriptions {
  private TaskDescriptions() {}

  /** @throws IllegalArgumentException when a name or value does not fit a task description */
  public static TaskDescription of(Assignment assignment, TaskSpec task, String driverName) {
    Allocation a = assignment.getAllocation();
    boolean container = driverName.equals("docker");
    Map<String, String> env = new LinkedHashMap<>(task.getEnvMap());
    List<PortMapping> ports = new ArrayList<>();
    for (AllocatedPort p : a.getPortsList()) {
      if (!p.getTask().isEmpty() && !p.getTask().equals(task.getName())) {
        continue;
      }
      if (p.getHost() <= 0) {
        continue;
      }
      int to = p.getTo() > 0 ? p.getTo() : p.getHost();
      ports.add(PortMapping.tcp(p.getHost(), to));
      String key = p.getName().toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9_]", "_");
      env.put("GANTRY_HOST_PORT_" + key, Integer.toString(p.getHost()));
      env.put("GANTRY_PORT_" + key, Integer.toString(container ? to : p.getHost()));
    }
    if (!a.getNodeName().isEmpty()) env.put("GANTRY_NODE_NAME", a.getNodeName());
    String group = a.getGroup().isEmpty() ? assignment.getGroup().getName() : a.getGroup();
    return new TaskDescription(a.getId(), a.getJob().isEmpty() ? group : a.getJob(), group, task.getName(),
        task.getImage().isEmpty() ? null : task.getImage(), task.getCommandList(), env,
        (int) Math.min(Integer.MAX_VALUE, task.getResources().getCpu()),
        (int) Math.min(Integer.MAX_VALUE, task.getResources().getMemory()), ports,
        Map.of("gantry.job.version", Long.toString(a.getJobVersion())),
        task.getWorkingDir().isEmpty() ? null : task.getWorkingDir());
  }
}
