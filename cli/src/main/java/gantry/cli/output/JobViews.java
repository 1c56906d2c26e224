package gantry.cli.output;

import gantry.v1.Allocation;
import gantry.v1.GetJobResponse;
import gantry.v1.GroupSummary;
import gantry.v1.Job;
import gantry.v1.JobStatus;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** Human views of jobs. Proto defaults are shown as what they mean (type service, priority 50, count 1). */
public final class JobViews {
  // UTC so that output from different machines compares directly.
  private static final DateTimeFormatter SUBMITTED = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private static final int DIFF_LINES = 20;

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

  /**
   * {@code gantry job status}: the header, one row per group with the server's counts, why any
   * group is short of placements, then the job's allocations.
   */
  public static void printStatus(PrintWriter out, GetJobResponse response, List<Allocation> allocations) {
    Job job = response.getJob();
    out.println("Name       = " + job.getName());
    out.println("Type       = " + type(job));
    out.println("Version    = " + version(job));
    out.println("Status     = " + status(job.getStatus()));
    out.println("Priority   = " + priority(job));
    out.println("Submitted  = " + time(job.getSubmitTimeMs()));
    out.println();
    var table = new Table("GROUP", "DESIRED", "PLACED", "RUNNING", "PENDING", "FAILED", "LOST");
    for (GroupSummary g : groups(response)) {
      table.row(g.getGroup(), g.getDesired(), g.getPlaced(), g.getRunning(), g.getPending(), g.getFailed(), g.getLost());
    }
    table.print(out);
    printScaling(out, job);
    for (GroupSummary g : response.getGroupsList()) {
      if (!g.getUnplacedReason().isEmpty()) {
        out.printf("Placement failure: group \"%s\": %s%n", g.getGroup(), g.getUnplacedReason());
      }
    }
    out.println();
    if (response.hasLatestDeployment()) {
      DeploymentViews.printLatest(out, response.getLatestDeployment());
      out.println();
    }
    AllocationViews.printForJob(out, allocations);
  }

  /** Each autoscaled group's bounds and policy, and the last count change of each group. */
  private static void printScaling(PrintWriter out, Job job) {
    for (var g : job.getSpec().getGroupsList()) {
      if (g.hasScaling()) {
        var s = g.getScaling();
        String rule = s.getTargetCpu() > 0 || s.getTargetMemory() > 0
            ? "target" + (s.getTargetCpu() > 0 ? " cpu " + s.getTargetCpu() + "%" : "")
                + (s.getTargetMemory() > 0 ? " memory " + s.getTargetMemory() + "%" : "")
            : "cpu > " + s.getScaleOutAbove() + "% out, < " + s.getScaleInBelow() + "% in";
        out.printf("Scaling: group \"%s\": %d..%d replicas, %s, over %ds%n", g.getName(), s.getMin(), s.getMax(), rule,
            s.getWindowMs() / 1000);
      }
      var mark = job.getLastScaleMap().get(g.getName());
      if (mark != null) out.printf("Last scale: %s (%s)%n", mark.getReason(), time(mark.getTimeMs()));
    }
  }

  /**
   * {@code gantry job history}: the versions oldest first, then for each version after the first
   * the keys of its spec that differ from the version before (at most {@value #DIFF_LINES} lines).
   */
  public static void printHistory(PrintWriter out, List<Job> versions) {
    var table = new Table("VERSION", "STABLE", "SUBMITTED", "WHY");
    for (Job v : versions) {
      table.row(version(v), v.getStable(), time(v.getSubmitTimeMs()),
          v.getVersionReason().isEmpty() ? "registered" : v.getVersionReason());
    }
    table.print(out);
    for (int i = 1; i < versions.size(); i++) {
      Job before = versions.get(i - 1);
      Job after = versions.get(i);
      List<String> changes = SpecDiff.of(before.getSpec(), after.getSpec());
      out.println();
      out.printf("Version %s (against %s)%n", version(after), version(before));
      // Registering an unchanged spec makes no version, but a stopped job registered again does.
      if (changes.isEmpty()) out.println("  no change to the spec");
      changes.stream().limit(DIFF_LINES).forEach(line -> out.println("  " + line));
      if (changes.size() > DIFF_LINES) out.printf("  ... and %d more%n", changes.size() - DIFF_LINES);
    }
    out.flush();
  }

  // A server that has not summarised the job yet (no evaluation ran) still has its spec: show the
  // groups with what is desired and nothing placed, rather than an empty table.
  private static List<GroupSummary> groups(GetJobResponse response) {
    if (response.getGroupsCount() > 0) return response.getGroupsList();
    return response.getJob().getSpec().getGroupsList().stream()
        .map(g -> GroupSummary.newBuilder().setGroup(g.getName()).setDesired(g.hasCount() ? g.getCount() : 1).build())
        .toList();
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
