package gantry.scheduler;

import gantry.v1.GroupSpec;
import gantry.v1.PortSpec;
import gantry.v1.TaskSpec;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * What one allocation of a group asks of a node: the sum of its tasks' resources, the
 * drivers they need and their ports.
 *
 * @param cpu millicores
 * @param memory MiB
 * @param drivers driver names, each must be on the node
 * @param ports every port of every task, in task order
 */
public record GroupAsk(long cpu, long memory, Set<String> drivers, List<TaskPort> ports) {
  /** A port of a task; {@code staticPort} 0 means dynamic. */
  public record TaskPort(String task, String name, int to, int staticPort) {}

  public GroupAsk {
    drivers = Set.copyOf(drivers);
    ports = List.copyOf(ports);
  }

  public static GroupAsk of(GroupSpec g) {
    long cpu = 0;
    long mem = 0;
    Set<String> drivers = new LinkedHashSet<>();
    List<TaskPort> ports = new ArrayList<>();
    for (TaskSpec t : g.getTasksList()) {
      cpu += t.getResources().getCpu();
      mem += t.getResources().getMemory();
      if (!t.getDriver().isEmpty()) {
        drivers.add(t.getDriver());
      }
      for (PortSpec p : t.getPortsList()) {
        ports.add(new TaskPort(t.getName(), p.getName(), p.getTo(), p.getStatic()));
      }
    }
    return new GroupAsk(cpu, mem, drivers, ports);
  }

  public int dynamicPortCount() {
    int n = 0;
    for (TaskPort p : ports) {
      if (p.staticPort() == 0) {
        n++;
      }
    }
    return n;
  }
}
