package gantry.node.state;

import gantry.node.state.DeploymentMachine.GroupCount;
import gantry.node.state.DeploymentMachine.Step;
import gantry.scheduler.reconcile.InPlace;
import gantry.scheduler.reconcile.RollingUpdate;
import gantry.v1.Allocation;
import gantry.v1.Deployment;
import gantry.v1.DeploymentChanged;
import gantry.v1.DeploymentGroup;
import gantry.v1.DeploymentStatus;
import gantry.v1.GroupSpec;
import gantry.v1.Job;
import gantry.v1.RecordOutcome;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Replay of deployments: the roll-out of a job version. Makes one when a version is registered,
 * and feeds {@link DeploymentMachine} what happened (allocations counted, an operator's action,
 * the leader's progress deadline), then carries out its step: stores the deployment, marks the
 * version stable, registers the newest stable version again (auto_revert), asks for an
 * evaluation. Called by {@link JobReplay} (registered, stopped) and {@link SchedulingReplay}
 * (placed, updated in place, health decided, DeploymentChanged); reads no clock.
 *
 * <p>A version whose groups have no update policy needs no deployment and is stable at once.
 * A group's canaries are wanted only when its tasks changed from the version before (a count
 * or policy change is made in place) and not for a revert (which replaces the failed
 * allocations at once).
 */
final class DeploymentReplay {
  /** Registers a job spec again as a new version (auto_revert): JobReplay's register. */
  @FunctionalInterface
  interface Reverter {
    Job register(Job stable, long index, long timeMs, Mutations out, Changes changes);
  }

  private final ClusterState state;
  private final EvalFactory evals;

  DeploymentReplay(ClusterState state) {
    this.state = state;
    this.evals = new EvalFactory(state);
  }

  /**
   * A registration made {@code job} the current version; {@code previous} is the version it
   * follows (null for a first one), {@code revert} whether auto_revert registered it.
   */
  void registered(Job job, Job previous, boolean revert, long index, long timeMs, Mutations out) {
    Optional<Deployment> active = state.activeDeployment(job.getName());
    if (active.isPresent() && previous != null && !revert && onlyCountsChanged(previous, job)) {
      carry(active.get(), job, index, out);
      return;
    }
    cancelActive(job.getName(), "superseded by version " + job.getVersion(), index, timeMs, out);
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
        .setStatusDescription(revert ? "reverting: replacing the failed version at once" : "deployment is running")
        .setCreateIndex(index)
        .setModifyIndex(index)
        .setCreateTimeMs(timeMs);
    for (GroupSpec g : job.getSpec().getGroupsList()) {
      var u = g.getUpdate();
      int canaries = g.hasUpdate() && !revert && tasksChanged(previous, g) ? Math.max(0, u.getCanary()) : 0;
      DeploymentGroup.Builder dg = DeploymentGroup.newBuilder()
          .setDesired(g.hasCount() ? Math.max(0, g.getCount()) : 1)
          .setAutoRevert(g.hasUpdate() && u.getAutoRevert())
          .setDesiredCanaries(canaries)
          .setPromoted(canaries == 0)
          .setAutoPromote(u.getAutoPromote())
          .setProgressDeadlineMs(g.hasUpdate() ? Math.max(0, u.getProgressDeadlineMs()) : 0);
      d.putGroups(g.getName(), dg.setRequireProgressByMs(DeploymentMachine.progressBy(dg.build(), timeMs)).build());
    }
    state.putDeployment(d.build(), out);
  }

  /**
   * A scale (by a user or the autoscaler) in the middle of a roll-out: the deployment goes on at
   * the new version with the new counts, its canary phase and health counts as they were, so the
   * scale neither stalls nor restarts it. Allocations of the version before move to the new one
   * in place and are counted again then.
   */
  private void carry(Deployment d, Job job, long index, Mutations out) {
    Deployment.Builder b = d.toBuilder().setJobVersion(job.getVersion()).setModifyIndex(index);
    for (GroupSpec g : job.getSpec().getGroupsList()) {
      DeploymentGroup dg = d.getGroupsMap().get(g.getName());
      if (dg != null) b.putGroups(g.getName(), dg.toBuilder().setDesired(g.hasCount() ? Math.max(0, g.getCount()) : 1).build());
    }
    state.putDeployment(b.build(), out);
  }

  /** Whether {@code now} differs from {@code before} in its groups' counts alone. */
  private static boolean onlyCountsChanged(Job before, Job now) {
    var a = before.getSpec().toBuilder();
    var b = now.getSpec().toBuilder();
    for (int i = 0; i < a.getGroupsCount(); i++) a.setGroups(i, a.getGroups(i).toBuilder().clearCount());
    for (int i = 0; i < b.getGroupsCount(); i++) b.setGroups(i, b.getGroups(i).toBuilder().clearCount());
    return a.build().equals(b.build());
  }

  /** Whether group {@code g} runs other tasks than it did in {@code previous} (a new group does not). */
  private static boolean tasksChanged(Job previous, GroupSpec g) {
    if (previous == null) return false;
    return previous.getSpec().getGroupsList().stream().filter(p -> p.getName().equals(g.getName())).findFirst()
        .map(p -> !InPlace.unchangedTasks(p, g)).orElse(false);
  }

  /** The job was stopped or purged: its roll-out ends. */
  void stopped(String job, long index, long timeMs, Mutations out) {
    cancelActive(job, "job stopped", index, timeMs, out);
  }

  /**
   * Allocations of {@code job} were placed or updated in place, or their deploy health was
   * decided: count the active deployment's allocations and move it on.
   */
  void recount(String jobName, long index, long timeMs, Mutations out, Changes changes, Reverter reverter) {
    Optional<Deployment> active = state.activeDeployment(jobName);
    if (active.isEmpty()) return;
    Deployment d = active.get();
    Map<String, int[]> n = new LinkedHashMap<>();
    // A system group's desired count is the nodes it runs on (one allocation each, any version).
    boolean system = state.job(jobName).map(j -> j.getSpec().getType().equals("system")).orElse(false);
    Map<String, java.util.Set<String>> nodes = new LinkedHashMap<>();
    Allocation firstUnhealthy = null;
    for (Allocation a : state.allocsOfJob(jobName)) {
      if (system && gantry.scheduler.AllocationRules.isLive(a)) {
        nodes.computeIfAbsent(a.getGroup(), g -> new java.util.HashSet<>()).add(a.getNodeId());
      }
      if (a.getJobVersion() != d.getJobVersion() || !d.getGroupsMap().containsKey(a.getGroup())) continue;
      int[] c = n.computeIfAbsent(a.getGroup(), g -> new int[5]);
      String h = a.getDeployHealth().getStatus();
      c[0]++;
      if (h.equals(RollingUpdate.HEALTHY)) c[1]++;
      if (a.getCanary()) c[3]++;
      if (a.getCanary() && h.equals(RollingUpdate.HEALTHY)) c[4]++;
      if (h.equals(RollingUpdate.UNHEALTHY)) {
        c[2]++;
        if (firstUnhealthy == null || a.getDeployHealth().getTimeMs() < firstUnhealthy.getDeployHealth().getTimeMs()) {
          firstUnhealthy = a;
        }
      }
    }
    Map<String, GroupCount> counts = new LinkedHashMap<>();
    for (String g : d.getGroupsMap().keySet()) {
      int[] c = n.getOrDefault(g, new int[5]);
      int desired = system ? nodes.getOrDefault(g, java.util.Set.of()).size() : -1;
      counts.put(g, new GroupCount(c[0], c[1], c[2], c[3], c[4], desired));
    }
    String unhealthy = firstUnhealthy == null ? ""
        : "allocation " + shortId(firstUnhealthy.getId()) + " unhealthy: " + firstUnhealthy.getDeployHealth().getReason();
    carryOut(d, DeploymentMachine.apply(d, new DeploymentMachine.Counted(counts, unhealthy, timeMs)), index, timeMs, out,
        changes, reverter);
  }

  /** An operator's action or the leader's progress deadline (a DeploymentChanged record). */
  RecordOutcome changed(DeploymentChanged r, long index, Mutations out, Changes changes, Reverter reverter) {
    Deployment d = state.deployments.get(r.getId());
    if (d == null) {
      return RecordOutcome.newBuilder().setErrorCode("NOT_FOUND").setErrorMessage("deployment \"" + r.getId() + "\" not found").build();
    }
    DeploymentMachine.Event e = switch (r.getAction()) {
      case DEPLOYMENT_ACTION_PROMOTE -> new DeploymentMachine.Promote(r.getTimeMs());
      case DEPLOYMENT_ACTION_FAIL -> new DeploymentMachine.Fail(r.getTimeMs());
      case DEPLOYMENT_ACTION_PAUSE -> new DeploymentMachine.Pause(r.getTimeMs());
      case DEPLOYMENT_ACTION_RESUME -> new DeploymentMachine.Resume(r.getTimeMs());
      case DEPLOYMENT_ACTION_PROGRESS_DEADLINE -> new DeploymentMachine.DeadlinePassed(r.getDeadlinesMsMap(), r.getTimeMs());
      case DEPLOYMENT_ACTION_UNSPECIFIED, UNRECOGNIZED -> null;
    };
    if (e == null) {
      return RecordOutcome.newBuilder().setErrorCode("INVALID_ARGUMENT").setErrorMessage("action: is required").build();
    }
    Step step = DeploymentMachine.apply(d, e);
    if (!step.refused().isEmpty()) {
      return RecordOutcome.newBuilder().setErrorCode("FAILED_PRECONDITION").setErrorMessage(step.refused()).setDeployment(d).build();
    }
    carryOut(d, step, index, r.getTimeMs(), out, changes, reverter);
    return RecordOutcome.newBuilder().setChanged(step.deployment() != d).setDeployment(state.deployments.get(d.getId())).build();
  }

  private void carryOut(Deployment before, Step step, long index, long timeMs, Mutations out, Changes changes,
      Reverter reverter) {
    if (step.deployment() == before) return;
    Deployment.Builder b = step.deployment().toBuilder().setModifyIndex(index);
    Optional<Job> stable = step.revert() ? newestStable(before.getJob(), before.getJobVersion()) : Optional.empty();
    if (stable.isPresent()) {
      b.setRevertedToVersion(stable.get().getVersion());
      b.setStatusDescription(b.getStatusDescription() + "; reverted to version " + stable.get().getVersion());
    }
    state.putDeployment(b.build(), out);
    if (step.stable()) markStable(before.getJob(), before.getJobVersion(), out);
    // After the deployment is stored as failed: the revert's registration would otherwise
    // cancel it as superseded. The revert's registration makes its own evaluation.
    stable.ifPresent(job -> reverter.register(job, index, timeMs, out, changes));
    if (step.evaluate() && stable.isEmpty()) {
      evals.create(before.getJob(), "deployment-watcher", "", index, timeMs, out, changes);
    }
  }

  private void cancelActive(String job, String why, long index, long timeMs, Mutations out) {
    state.activeDeployment(job).ifPresent(d -> state.putDeployment(
        DeploymentMachine.apply(d, new DeploymentMachine.Cancel(why, timeMs)).deployment().toBuilder().setModifyIndex(index).build(),
        out));
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
