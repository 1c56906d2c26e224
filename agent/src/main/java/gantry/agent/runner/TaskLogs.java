package gantry.agent.runner;

import gantry.agent.driver.DriverException;
import gantry.agent.driver.TaskHandle;
import gantry.v1.AllocationStatusUpdate;
import gantry.v1.GroupSpec;
import gantry.v1.LogsReply;
import gantry.v1.TaskSpec;
import gantry.v1.TaskState;
import java.util.List;
import java.util.Map;

/**
 * A task's last lines for {@code gantry alloc logs}, or an error a user can act on (which task to
 * name, why there are none yet). Runs on the caller's thread: it reads only the runner's handles
 * and published status, and the driver reads its own files or the engine.
 */
final class TaskLogs {
  private TaskLogs() {}

  /** {@code task} empty: the allocation's only task. */
  static LogsReply read(String allocationId, GroupSpec group, Map<String, TaskHandle> handles,
      AllocationStatusUpdate status, DriverSet drivers, String task, int tailLines) {
    List<String> names = group.getTasksList().stream().map(TaskSpec::getName).toList();
    LogsReply.Builder reply = LogsReply.newBuilder();
    String name = task;
    if (name.isEmpty()) {
      if (names.size() != 1) {
        return reply.setError("allocation " + allocationId + " has tasks " + String.join(", ", names)
            + "; name one").build();
      }
      name = names.getFirst();
    }
    reply.setTask(name);
    int at = names.indexOf(name);
    if (at < 0) {
      return reply.setError("allocation " + allocationId + " has no task '" + name + "' (tasks: "
          + String.join(", ", names) + ")").build();
    }
    TaskHandle h = handles.get(name);
    if (h == null) {
      String why = status.getTasksOrDefault(name, TaskState.getDefaultInstance()).getMessage();
      return reply.setError("task " + name + " of allocation " + allocationId + " has not started"
          + (why.isEmpty() ? "" : ": " + why)).build();
    }
    try {
      return reply.setText(drivers.forTask(group.getTasks(at)).logs(h, tailLines)).build();
    } catch (DriverException | IllegalArgumentException e) {
      return reply.setError(e.getMessage()).build();
    }
  }
}
