package gantry.node.state;

import gantry.v1.AllocatedPort;
import gantry.v1.Allocation;
import gantry.v1.TaskState;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Makes the names an allocation repeats share one string each across all allocations: its job,
 * group, node, evaluation, descriptions, task names and task states. Parsed from a log entry or
 * from the store, each allocation would hold copies of its own, and at 100,000 allocations those
 * copies were most of the 1.46 million strings in a leader's live heap (README, Benchmarks).
 *
 * <p>The shared instances are the JVM's interned strings ({@link String#intern}), which are
 * collected once nothing refers to them, so a purged job's names do not stay behind. Only the
 * allocation's own id (and the one it replaces) stays a copy: nothing else repeats it.
 */
final class SharedNames {
  private SharedNames() {}

  /** Sets {@code b}'s repeated names to their shared instances; returns {@code b}. */
  static Allocation.Builder share(Allocation.Builder b) {
    b.setJob(b.getJob().intern())
        .setGroup(b.getGroup().intern())
        .setNodeId(b.getNodeId().intern())
        .setNodeName(b.getNodeName().intern())
        .setEvalId(b.getEvalId().intern())
        .setDesiredDescription(b.getDesiredDescription().intern())
        .setClientDescription(b.getClientDescription().intern());
    if (b.getTasksCount() > 0) {
      Map<String, TaskState> tasks = new LinkedHashMap<>(b.getTasksMap());
      b.clearTasks();
      tasks.forEach((name, t) -> b.putTasks(name.intern(), share(t)));
    }
    if (b.getPortsCount() > 0) {
      List<AllocatedPort> ports = new ArrayList<>(b.getPortsList());
      b.clearPorts();
      for (AllocatedPort p : ports) b.addPorts(p.toBuilder().setTask(p.getTask().intern()).setName(p.getName().intern()));
    }
    return b;
  }

  private static TaskState share(TaskState t) {
    return t.toBuilder().setState(t.getState().intern()).setHealth(t.getHealth().intern())
        .setMessage(t.getMessage().intern()).build();
  }
}
