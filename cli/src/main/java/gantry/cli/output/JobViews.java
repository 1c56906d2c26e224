package gantry.cli.output;

import gantry.v1.GroupSpec;
import gantry.v1.Job;
import gantry.v1.JobStatus;
import gantry.v1.TaskSpec;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Collectors;

/** Human views of jobs. Proto defaults are shown as what they mean (type service, priority 50, count 1). */
public final class JobViews {
  // UTC so that output from different machines compares directly.
  private static final DateTimeFormatter SUBMITTED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private JobViews() {}

  public static void printList(PrintWriter out, List<Job> jobs) {
    if (jobs.isEmpty()) {
      out.println("No jobs registered");
      out.flush();
      return;
    }
    var table = new Table("NAME", "VERSION", "TYPE", "STATUS", "PRIORITY", "GROUPS", "SUBMITTED");
    for (Job job : jobs) {
      table.row(job.getName(), version(job), type(job), status(job.getStatus()), priority(job),
          job.getSpec().getGroupsCount(), time(job.getSubmitTimeMs()));
    }
    table.print(out);
  }

  public static void printStatus(PrintWriter out, Job job) {
    out.println("Name       = " + job.getName());
    out.println("Type       = " + type(job));
    out.println("Version    = " + version(job));
    out.println("Status     = " + status(job.getStatus()));
    out.println("Priority   = " + priority(job));
    out.println("Submitted  = " + time(job.getSubmitTimeMs()));
    out.println();
    var table = new Table("GROUP", "COUNT", "TASKS");
    for (GroupSpec group : job.getSpec().getGroupsList()) {
      String tasks = group.getTasksList().stream().map(TaskSpec::getName).collect(Collectors.joining(","));
      table.row(group.getName(), group.hasCount() ? group.getCount() : 1, tasks.isEmpty() ? "-" : tasks);
    }
    table.print(out);
  }

  public static String version(Job job) {
    return Long.toUnsignedString(job.getVersion());
  }

  static String type(Job job) {
    return job.getSpec().getType().isEmpty() ? "service" : job.getSpec().getType();
  }

  static int priority(Job job) {
    return job.getSpec().getPriority() == 0 ? 50 : job.getSpec().getPriority();
  }

  static String status(JobStatus status) {
    return switch (status) {
      case JOB_STATUS_RUNNING -> "running";
      case JOB_STATUS_STOPPED -> "stopped";
      case JOB_STATUS_UNSPECIFIED, UNRECOGNIZED -> "unknown";
    };
  }

  static String time(long epochMs) {
    if (epochMs <= 0) return "-";
    return SUBMITTED.format(Instant.ofEpochMilli(epochMs));
  }
}
