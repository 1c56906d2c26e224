package gantry.node.state;

import gantry.scheduler.reconcile.RollingUpdate;
import gantry.v1.Allocation;
import gantry.v1.Deployment;
import gantry.v1.DeploymentGroup;
import gantry.v1.DeploymentStatus;
import gantry.v1.GroupSpec;
import gantry.v1.Job;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.UUID;

/**
 * Replay of deployments: the roll-out of a job version, moved by the deploy health that agents
 * report. Called by {@link JobReplay} (a version registered, a job stopped) and
 * {@link SchedulingReplay} (an allocation's health decided); reads no clock.
 *
 * <pre>
 * event                                          deployment of the job           the job version
 * a version registered, some group with update  earlier RUNNING -> CANCELLED;    -
 *                                                new one RUNNING
 * a version registered, no update policy        earlier RUNNING -> CANCELLED     stable at once
 * the job stopped                                RUNNING -> CANCELLED             -
 * an allocation of its version unhealthy         RUNNING -> FAILED (the reason);  with auto_revert in
 *                                                                                 that group: the newest
 *                                                                                 stable version is
 *                                                                                 registered again
 * every group has desired healthy allocations    RUNNING -> SUCCESSFUL            stable
 *   (recounted at each health report and after allocations were updated in place)
 * </pre>
 */
final class DeploymentReplay {
  /** Registers a job spec again as a new version (auto_revert): JobReplay's register. */
  @FunctionalInterface
  interface Reverter {
    Job register(Job stable, long index, long timeMs, Mutations out, Changes changes);
  }

  private final ClusterState state;

  DeploymentReplay(ClusterState state) {
    this.state = state;
  }

  /** A registration made {@code job} the current version. */
  void registered(Job job, long index, long timeMs, Mutations out) {
    cancelRunning(job.getName(), "superseded by version " + job.getVersion(), index, out);
    boolean rolls = job.getSpec().getGroupsList().stream().anyMatch(GroupSpec::hasUpdate);
    if (!rolls) {
      markStable(job.getName(), job.getVersion(), out);
      return;
    }
    String id = UUID.nameUUIDFromBytes(("deployment/" + job.getName() + "/" + job.getVersion() + "/" + index + "/" + timeMs)
        .getBytes(StandardCharsets.UTF_8)).toString();
    Deployment.Builder d = Deployment.newBuilder()
        .setId(id)
        .setJob(job.getName())
        .setJobVersion(job.getVersion())
        .setStatus(DeploymentStatus.DEPLOYMENT_STATUS_RUNNING)
        .setStatusDescription("deployment is running")
        .setCreateIndex(index)
        .setModifyIndex(index)
        .setCreateTimeMs(timeMs);
    for (GroupSpec g : job.getSpec().getGroupsList()) {
      d.putGroups(g.getName(), DeploymentGroup.newBuilder()
          .setDesired(g.hasCount() ? Math.max(0, g.getCount()) : 1)
          .setAutoRevert(g.hasUpdate() && g.getUpdate().getAutoRevert())
          .build());
    }
    state.putDeployment(d.build(), out);
  }

  /** The job was stopped: its roll-out ends. */
  void stopped(String job, long index, Mutations out) {
    cancelRunning(job, "job stopped", index, out);
  }

  /**
   * The deploy health of one or more of {@code job}'s allocations was decided, or allocations
   * were updated in place to a new version: recount the running deployment and move it on.
   */
  void recount(String jobName, long index, long timeMs, Mutations out, Changes changes, Reverter reverter) {
    Optional<Deployment> running = state.runningDeployment(jobName);
    if (running.isEmpty()) return;
    Deployment d = running.get();
    Deployment.Builder b = d.toBuilder().setModifyIndex(index);
    Allocation firstUnhealthy = null;
    boolean allHealthy = true;
    for (var e : d.getGroupsMap().entrySet()) {
      int placed = 0;
      int healthy = 0;
      int unhealthy = 0;
      for (Allocation a : state.allocsOfJob(jobName)) {
        if (a.getJobVersion() != d.getJobVersion() || !a.getGroup().equals(e.getKey())) continue;
        placed++;
        String h = a.getDeployHealth().getStatus();
        if (h.equals(RollingUpdate.HEALTHY)) healthy++;
        if (h.equals(RollingUpdate.UNHEALTHY)) {
          unhealthy++;
          if (firstUnhealthy == null || a.getDeployHealth().getTimeMs() < firstUnhealthy.getDeployHealth().getTimeMs()) {
            firstUnhealthy = a;
          }
        }
      }
      DeploymentGroup g = e.getValue().toBuilder().setPlaced(placed).setHealthy(healthy).setUnhealthy(unhealthy).build();
      b.putGroups(e.getKey(), g);
      if (healthy < g.getDesired()) allHealthy = false;
    }
    if (firstUnhealthy != null) {
      b.setStatus(DeploymentStatus.DEPLOYMENT_STATUS_FAILED).setStatusDescription("allocation "
          + shortId(firstUnhealthy.getId()) + " unhealthy: " + firstUnhealthy.getDeployHealth().getReason());
      DeploymentGroup failedGroup = b.getGroupsMap().get(firstUnhealthy.getGroup());
      Optional<Job> stable = failedGroup != null && failedGroup.getAutoRevert() ? newestStable(jobName, d.getJobVersion())
          : Optional.empty();
      if (stable.isPresent()) {
        b.setRevertedToVersion(stable.get().getVersion());
        b.setStatusDescription(b.getStatusDescription() + "; reverted to version " + stable.get().getVersion());
      }
      state.putDeployment(b.build(), out);
      // After the deployment is stored as failed: the revert's registration would otherwise
      // cancel it as superseded.
      stable.ifPresent(job -> reverter.register(job, index, timeMs, out, changes));
      return;
    }
    if (allHealthy) {
      b.setStatus(DeploymentStatus.DEPLOYMENT_STATUS_SUCCESSFUL).setStatusDescription("deployment completed: every allocation healthy");
      markStable(jobName, d.getJobVersion(), out);
    }
    state.putDeployment(b.build(), out);
  }

  private void cancelRunning(String job, String why, long index, Mutations out) {
    state.runningDeployment(job).ifPresent(d -> state.putDeployment(d.toBuilder()
        .setStatus(DeploymentStatus.DEPLOYMENT_STATUS_CANCELLED).setStatusDescription("cancelled: " + why)
        .setModifyIndex(index).build(), out));
  }

  /** The newest version before {@code before} that is stable. */
  private Optional<Job> newestStable(String job, long before) {
    var all = state.versions.get(job);
    if (all == null) return Optional.empty();
    return all.headMap(before, false).descendingMap().values().stream().filter(Job::getStable).findFirst();
  }

  private void markStable(String job, long version, Mutations out) {
    var all = state.versions.get(job);
    Job v = all == null ? null : all.get(version);
    if (v != null && !v.getStable()) state.putJobVersion(v.toBuilder().setStable(true).build(), out);
    Job current = state.jobs.get(job);
    if (current != null && current.getVersion() == version && !current.getStable()) {
      state.putJob(current.toBuilder().setStable(true).build(), out);
    }
  }

  private static String shortId(String id) {
    return id.length() > 8 ? id.substring(0, 8) : id;
  }
}
