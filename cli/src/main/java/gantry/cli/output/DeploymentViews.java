package gantry.cli.output;

import gantry.v1.Deployment;
import gantry.v1.DeploymentGroup;
import gantry.v1.DeploymentStatus;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Human views of deployments: the list, one deployment, the one-line status the deployment verbs
 * print, and the progress lines of {@code job run}. Canary counts read {@code placed/desired}; a
 * group without canaries shows {@code -}. The progress deadline is shown only while the deployment
 * has not ended (afterwards the server's last value means nothing to act on).
 */
public final class DeploymentViews {
  private DeploymentViews() {}

  /** {@code gantry deployment ls}: newest first, as the server orders them; canaries summed over the groups. */
  public static void printList(PrintWriter out, List<Deployment> deployments) {
    if (deployments.isEmpty()) {
      out.println("No deployments");
      out.flush();
      return;
    }
    var table = new Table("ID", "JOB", "VERSION", "STATUS", "CANARIES", "PROMOTED", "PROGRESS_BY", "DESCRIPTION");
    for (Deployment d : deployments) {
      table.row(shortId(d.getId()), d.getJob(), Long.toUnsignedString(d.getJobVersion()), status(d.getStatus()),
          canaries(d), promoted(d), JobViews.time(progressBy(d)), d.getStatusDescription());
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
    nextCommand(d).ifPresent(c -> out.println("Next step   = " + c));
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
    nextCommand(d).ifPresent(c -> out.println("Next step   = " + c));
    out.println();
    printGroups(out, d);
  }

  private static void printGroups(PrintWriter out, Deployment d) {
    var table = new Table("GROUP", "AUTO_REVERT", "DESIRED", "PLACED", "HEALTHY", "UNHEALTHY", "CANARIES", "PROMOTED",
        "AUTO_PROMOTE", "PROGRESS_BY");
    boolean ended = ended(d.getStatus());
    for (var e : groups(d).entrySet()) {
      DeploymentGroup g = e.getValue();
      table.row(e.getKey(), g.getAutoRevert(), g.getDesired(), g.getPlaced(), g.getHealthy(), g.getUnhealthy(),
          canaries(g), g.getPromoted(), g.getAutoPromote(), JobViews.time(ended ? 0 : g.getRequireProgressByMs()));
    }
    table.print(out);
  }

  /**
   * One line of {@code job run}'s progress:
   * {@code frontend: 3 desired, 2 placed, 1 healthy, 0 unhealthy}, then for a group with canaries
   * {@code , canaries 1/1 placed} and {@code , promoted} once they are.
   */
  public static String progress(String group, DeploymentGroup g) {
    var line = new StringBuilder().append(group).append(": ").append(g.getDesired()).append(" desired, ")
        .append(g.getPlaced()).append(" placed, ").append(g.getHealthy()).append(" healthy, ")
        .append(g.getUnhealthy()).append(" unhealthy");
    if (g.getDesiredCanaries() > 0) {
      line.append(", canaries ").append(canaries(g)).append(" placed");
      if (g.getPromoted()) line.append(", promoted");
    }
    return line.toString();
  }

  /**
   * {@code Deployment 3f2a1c0d paused: paused by an operator}: what the deployment verbs print, and
   * the status line of {@code job run}'s progress. The description is the server's.
   */
  public static String statusLine(Deployment d) {
    String line = "Deployment " + shortId(d.getId()) + " " + status(d.getStatus());
    return d.getStatusDescription().isEmpty() ? line : line + ": " + d.getStatusDescription();
  }

  /**
   * The command that moves a deployment on when it waits for an operator: promote when it is
   * blocked (its canaries are healthy), resume when it is paused. The whole id, so that the command
   * can never match another deployment.
   */
  public static Optional<String> nextCommand(Deployment d) {
    return switch (d.getStatus()) {
      case DEPLOYMENT_STATUS_BLOCKED -> Optional.of("gantry deployment promote " + d.getId());
      case DEPLOYMENT_STATUS_PAUSED -> Optional.of("gantry deployment resume " + d.getId());
      default -> Optional.empty();
    };
  }

  /**
   * Whether a blocked deployment will be promoted by the managers themselves: every group whose
   * canaries await promotion has {@code auto_promote} (and there is such a group).
   */
  public static boolean promotesItself(Deployment d) {
    if (d.getStatus() != DeploymentStatus.DEPLOYMENT_STATUS_BLOCKED) return false;
    var waiting = d.getGroupsMap().values().stream().filter(g -> g.getDesiredCanaries() > 0 && !g.getPromoted()).toList();
    return !waiting.isEmpty() && waiting.stream().allMatch(DeploymentGroup::getAutoPromote);
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

  /** Successful, failed or cancelled: nothing will move it again. */
  static boolean ended(DeploymentStatus status) {
    return status == DeploymentStatus.DEPLOYMENT_STATUS_SUCCESSFUL || status == DeploymentStatus.DEPLOYMENT_STATUS_FAILED
        || status == DeploymentStatus.DEPLOYMENT_STATUS_CANCELLED;
  }

  private static String canaries(DeploymentGroup g) {
    return g.getDesiredCanaries() > 0 ? g.getPlacedCanaries() + "/" + g.getDesiredCanaries() : "-";
  }

  /** The canaries of every group with some, summed: {@code 2/3}, or {@code -}. */
  private static String canaries(Deployment d) {
    int placed = 0;
    int desired = 0;
    for (DeploymentGroup g : d.getGroupsMap().values()) {
      placed += g.getPlacedCanaries();
      desired += g.getDesiredCanaries();
    }
    return desired > 0 ? placed + "/" + desired : "-";
  }

  /** Whether every group with canaries is promoted; {@code -} without canaries (there is nothing to promote). */
  private static String promoted(Deployment d) {
    var withCanaries = d.getGroupsMap().values().stream().filter(g -> g.getDesiredCanaries() > 0).toList();
    if (withCanaries.isEmpty()) return "-";
    return String.valueOf(withCanaries.stream().allMatch(DeploymentGroup::getPromoted));
  }

  /** The earliest deadline of any group (the one that fails the deployment first); 0 for none or once ended. */
  private static long progressBy(Deployment d) {
    if (ended(d.getStatus())) return 0;
    return d.getGroupsMap().values().stream().mapToLong(DeploymentGroup::getRequireProgressByMs).filter(t -> t > 0)
        .min().orElse(0);
  }
}
