package gantry.agent.health;

import gantry.v1.Allocation;
import gantry.v1.AllocatedPort;
import gantry.v1.CheckSpec;
import java.time.Duration;
import java.util.List;

/**
 * One task's check, resolved against the allocation's ports: what to probe and how often.
 *
 * <p>{@code exec} checks run a command inside the task through its driver ({@link
 * gantry.agent.driver.TaskDriver#runInTask}); exit 0 within the timeout is healthy. A check the
 * agent cannot run is {@link Unsupported}: health stays {@code unknown} with a message saying so,
 * and the task is never restarted for it.
 */
public sealed interface HealthCheck {
  Duration interval();

  Duration timeout();

  /** GET http://127.0.0.1:port/path; 2xx and 3xx are healthy. */
  record Http(int port, String path, Duration interval, Duration timeout) implements HealthCheck {}

  /** A TCP connect to 127.0.0.1:port. */
  record Tcp(int port, Duration interval, Duration timeout) implements HealthCheck {}

  /** A command run inside the task by its driver; exit 0 is healthy. */
  record Exec(List<String> command, Duration interval, Duration timeout) implements HealthCheck {
    public Exec {
      command = List.copyOf(command);
    }
  }

  /** A check the agent cannot run; {@code why} goes into the task's message. */
  record Unsupported(String why, Duration interval, Duration timeout) implements HealthCheck {}

  Duration DEFAULT_INTERVAL = Duration.ofSeconds(10);
  Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

  /**
   * The check of task {@code task} in {@code allocation}, or null when the spec has none. The
   * check's port is a port name; its host port comes from the allocation.
   */
  static HealthCheck of(CheckSpec spec, String task, Allocation allocation) {
    if (spec == null || spec.getType().isEmpty()) {
      return null;
    }
    Duration interval = spec.getIntervalMs() > 0 ? Duration.ofMillis(spec.getIntervalMs()) : DEFAULT_INTERVAL;
    Duration timeout = spec.getTimeoutMs() > 0 ? Duration.ofMillis(spec.getTimeoutMs()) : DEFAULT_TIMEOUT;
    return switch (spec.getType()) {
      case "http", "tcp" -> {
        int port = hostPort(allocation.getPortsList(), task, spec.getPort());
        if (port <= 0) {
          yield new Unsupported("check port '" + spec.getPort() + "' is not allocated to task " + task,
              interval, timeout);
        }
        String path = spec.getPath().isEmpty() ? "/" : spec.getPath().startsWith("/") ? spec.getPath()
            : "/" + spec.getPath();
        yield spec.getType().equals("http") ? new Http(port, path, interval, timeout)
            : new Tcp(port, interval, timeout);
      }
      case "exec" -> spec.getCommandCount() == 0
          ? new Unsupported("an exec check needs a command", interval, timeout)
          : new Exec(spec.getCommandList(), interval, timeout);
      default -> new Unsupported("unknown check type '" + spec.getType() + "'", interval, timeout);
    };
  }

  private static int hostPort(List<AllocatedPort> ports, String task, String name) {
    for (AllocatedPort p : ports) {
      if (p.getName().equals(name) && (p.getTask().isEmpty() || p.getTask().equals(task))) {
        return p.getHost();
      }
    }
    return 0;
  }
}
