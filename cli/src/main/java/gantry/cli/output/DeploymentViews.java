package gantry.cli.output;

import gantry.v1.Deployment;
import gantry.v1.DeploymentGroup;
import gantry.v1.DeploymentStatus;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Human views of deployments: the list, one deployment, and the progress lines of {@code job run}. */
public final class DeploymentViews {
  private DeploymentViews() {}

  /** {@code gantry deployment ls}: newest first, as the server orders them. */
  public static void printList(PrintWriter out, List<Deployment> deployments) {
    if (deployments.isEmpty()) {
      out.println("No deployments");
      out.flush();
      return;
    }
    var table = new Table("ID", "JOB", "VERSION", "STATUS", "DESCRIPTION");
    for (Deployment d : deployments) {
      table.row(shortId(d.getId()), d.getJob(), Long.toUnsignedString(d.getJobVersion()), status(d.getStatus()),
          d.getStatusDescription());
    }
    table.print(out);
  }

  /** {@code gantry deployment status ID}: the header, then the counts per group. */
  public static void printStatus(PrintWriter out, Deployment d) {
    out.println("ID          = " + d.getId());
    out.println("Job         = " + d.getJob());
    out.println("Version     = " + Long.toUnsignedString(d.getJobVersion()));
    out.println("Status      = " + status(d.getStatus()));
    out.println("Description = " + d.getStatusDescription());
    out.println("Created     = " + JobViews.time(d.getCreateTimeMs()));
    if (d.getRevertedToVersion() != 0) {
      out.println("Reverted to = version " + Long.toUnsignedString(d.getRevertedToVersion()));
    }
    out.println();
    printGroups(out, d);
  }

  /** The "Latest deployment" section of {@code gantry job status}. */
  public static void printLatest(PrintWriter out, Deployment d) {
    out.println("Latest deployment");
    out.println("ID          = " + shortId(d.getId()));
    out.println("Version     = " + Long.toUnsignedString(d.getJobVersion()));
    out.println("Status      = " + status(d.getStatus()));
    out.println("Description = " + d.getStatusDescription());
    out.println();
    printGroups(out, d);
  }

  private static void printGroups(PrintWriter out, Deployment d) {
    var table = new Table("GROUP", "AUTO_REVERT", "DESIRED", "PLACED", "HEALTHY", "UNHEALTHY");
    for (var e : groups(d).entrySet()) {
      DeploymentGroup g = e.getValue();
      table.row(e.getKey(), g.getAutoRevert(), g.getDesired(), g.getPlaced(), g.getHealthy(), g.getUnhealthy());
    }
    table.print(out);
  }

  /** One line of {@code job run}'s progress: {@code frontend: 3 desired, 2 placed, 1 healthy, 0 unhealthy}. */
  public static String progress(String group, DeploymentGroup g) {
    return group + ": " + g.getDesired() + " desired, " + g.getPlaced() + " placed, " + g.getHealthy() + " healthy, "
        + g.getUnhealthy() + " unhealthy";
  }

  /** The groups by name: a proto map has no order, the tables and progress lines do. */
  public static Map<String, DeploymentGroup> groups(Deployment d) {
    return new TreeMap<>(d.getGroupsMap());
  }

  /** The first 8 characters, as every table shows ids. */
  public static String shortId(String id) {
    return AllocationViews.shortId(id);
  }

  public static String status(DeploymentStatus status) {
    return switch (status) {
      case DEPLOYMENT_STATUS_RUNNING -> "running";
      case DEPLOYMENT_STATUS_SUCCESSFUL -> "successful";
      case DEPLOYMENT_STATUS_FAILED -> "failed";
      case DEPLOYMENT_STATUS_CANCELLED -> "cancelled";
      case DEPLOYMENT_STATUS_PAUSED -> "paused";
      case DEPLOYMENT_STATUS_BLOCKED -> "blocked";
      case DEPLOYMENT_STATUS_UNSPECIFIED, UNRECOGNIZED -> "unknown";
    };
  }
}
