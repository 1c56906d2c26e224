package gantry.cli.output;

import gantry.scheduler.AllocationRules;
import gantry.v1.AllocatedPort;
import gantry.v1.Allocation;
import gantry.v1.ClientStatus;
import gantry.v1.DesiredStatus;
import gantry.v1.TaskState;
import java.io.PrintWriter;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

/** Human views of allocations: the {@code alloc ls} table and the allocations part of {@code job status}. */
public final class AllocationViews {
  // Allocation and node ids are UUIDs; 8 characters tell them apart in any cluster a person reads a
  // table of. Scripts that need whole ids use --json.
  static final int SHORT_ID = 8;

  // Slot order (group, index), then the older record first, so a replacement sits under what it replaced.
  private static final Comparator<Allocation> BY_SLOT = Comparator.comparing(Allocation::getGroup)
      .thenComparingInt(Allocation::getIndex)
      .thenComparing(Allocation::getCreateIndex, Long::compareUnsigned);

  private AllocationViews() {}

  /** {@code gantry alloc ls}. */
  public static void printList(PrintWriter out, List<Allocation> allocations) {
    if (allocations.isEmpty()) {
      out.println("No allocations");
      out.flush();
      return;
    }
    var table = new Table("ID", "NODE", "JOB", "GROUP", "INDEX", "DESIRED", "STATUS", "HEALTH", "CPU%", "MEM(MiB)", "PORTS");
    for (Allocation a : sorted(allocations, Comparator.comparing(Allocation::getJob).thenComparing(BY_SLOT))) {
      table.row(shortId(a.getId()), node(a), a.getJob(), a.getGroup(), a.getIndex(), desired(a.getDesiredStatus()),
          status(a.getClientStatus()), health(a), cpu(a), memory(a), ports(a.getPortsList()));
    }
    table.print(out);
  }

  /** The allocations of one job, below its groups in {@code gantry job status}. */
  public static void printForJob(PrintWriter out, List<Allocation> allocations) {
    out.println("Allocations");
    if (allocations.isEmpty()) {
      out.println("No allocations");
      out.flush();
      return;
    }
    var table = new Table("ID", "GROUP", "INDEX", "NODE", "VERSION", "DESIRED", "STATUS", "HEALTH");
    for (Allocation a : sorted(allocations, BY_SLOT)) {
      table.row(shortId(a.getId()), a.getGroup(), a.getIndex(), node(a), Long.toUnsignedString(a.getJobVersion()),
          desired(a.getDesiredStatus()), status(a.getClientStatus()), health(a));
    }
    table.print(out);
    printFailures(out, allocations);
  }

  /** How many failed allocations {@code job status} explains, newest first. */
  static final int FAILURES_SHOWN = 5;

  /**
   * Why allocations failed or were lost, in the agent's words ("task httpd: image not found: ..."):
   * the answer to "why is my job not running" without a trip to the node.
   */
  static void printFailures(PrintWriter out, List<Allocation> allocations) {
    List<Allocation> failed = allocations.stream()
        .filter(a -> a.getClientStatus() == ClientStatus.CLIENT_STATUS_FAILED
            || a.getClientStatus() == ClientStatus.CLIENT_STATUS_LOST)
        .sorted(Comparator.comparing(Allocation::getCreateIndex, Long::compareUnsigned).reversed())
        .toList();
    if (failed.isEmpty()) return;
    out.println();
    out.println("Recent failures" + (failed.size() > FAILURES_SHOWN ? " (newest " + FAILURES_SHOWN + " of "
        + failed.size() + ")" : ""));
    for (Allocation a : failed.subList(0, Math.min(FAILURES_SHOWN, failed.size()))) {
      out.printf("  %s %s[%d] on %s: %s: %s%n", shortId(a.getId()), a.getGroup(), a.getIndex(), node(a),
          status(a.getClientStatus()), reason(a));
    }
    out.flush();
  }

  /** The allocation's description, else the first failed task's message. */
  static String reason(Allocation a) {
    if (!a.getClientDescription().isBlank()) return a.getClientDescription();
    for (var e : a.getTasksMap().entrySet()) {
      if (e.getValue().getFailed() && !e.getValue().getMessage().isBlank()) {
        return "task " + e.getKey() + ": " + e.getValue().getMessage();
      }
    }
    return a.getClientStatus() == ClientStatus.CLIENT_STATUS_LOST ? "its node went down" : "no reason reported";
  }

  private static List<Allocation> sorted(List<Allocation> allocations, Comparator<Allocation> order) {
    return allocations.stream().sorted(order).toList();
  }

  public static String shortId(String id) {
    if (id.isEmpty()) return "-";
    return id.length() <= SHORT_ID ? id : id.substring(0, SHORT_ID);
  }

  static String node(Allocation a) {
    if (!a.getNodeName().isEmpty()) return a.getNodeName();
    return shortId(a.getNodeId());
  }

  /**
   * True while the allocation holds its node's resources: wanted running and not finished. The
   * same rule as GroupSummary.placed, so {@code node ls} ALLOCS and {@code job status} PLACED agree.
   */
  public static boolean isLive(Allocation a) {
    return AllocationRules.isLive(a);
  }

  static String desired(DesiredStatus status) {
    return switch (status) {
      case DESIRED_STATUS_RUN -> "run";
      case DESIRED_STATUS_STOP -> "stop";
      case DESIRED_STATUS_UNSPECIFIED, UNRECOGNIZED -> "-";
    };
  }

  static String status(ClientStatus status) {
    return switch (status) {
      case CLIENT_STATUS_PENDING -> "pending";
      case CLIENT_STATUS_RUNNING -> "running";
      case CLIENT_STATUS_COMPLETE -> "complete";
      case CLIENT_STATUS_FAILED -> "failed";
      case CLIENT_STATUS_LOST -> "lost";
      // Placed but not yet reported by its agent.
      case CLIENT_STATUS_UNSPECIFIED, UNRECOGNIZED -> "pending";
    };
  }

  /**
   * One word for the tasks' checks. The agent reports "" for a task without a check, "unknown"
   * until its check first answers, then healthy / unhealthy. One unhealthy task makes the
   * allocation unhealthy; it is healthy only when every checked task is; otherwise (no checks, or
   * results still pending) "-", because neither word would be true yet.
   */
  public static String health(Allocation a) {
    boolean anyChecked = false;
    boolean allHealthy = true;
    for (TaskState task : a.getTasksMap().values()) {
      String h = task.getHealth().toLowerCase(Locale.ROOT);
      if (h.isEmpty()) continue;
      if (h.equals("unhealthy")) return "unhealthy";
      anyChecked = true;
      allHealthy &= h.equals("healthy");
    }
    return anyChecked && allHealthy ? "healthy" : "-";
  }

  // A zero sample time means the agent has not reported usage yet; 0% would read as idle.
  static String cpu(Allocation a) {
    if (!hasMetrics(a)) return "-";
    return String.format(Locale.ROOT, "%.1f", a.getMetrics().getCpuPercent());
  }

  static String memory(Allocation a) {
    return hasMetrics(a) ? Long.toString(a.getMetrics().getMemoryMb()) : "-";
  }

  private static boolean hasMetrics(Allocation a) {
    return a.hasMetrics() && (a.getMetrics().getTimeMs() > 0 || a.getMetrics().getCpuPercent() > 0
        || a.getMetrics().getMemoryMb() > 0);
  }

  /** {@code name=host->to}, comma-separated: where to point a browser and what the task listens on. */
  static String ports(List<AllocatedPort> ports) {
    if (ports.isEmpty()) return "-";
    return ports.stream().map(p -> p.getName() + "=" + p.getHost() + "->" + p.getTo()).collect(Collectors.joining(","));
  }
}
