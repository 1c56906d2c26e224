package gantry.node.state;

import gantry.node.store.Keys;
import gantry.v1.Job;
import gantry.v1.JobPurged;
import gantry.v1.JobRegistered;
import gantry.v1.JobStatus;
import gantry.v1.JobStopped;
import gantry.v1.Peer;
import gantry.v1.PeerAnnounced;
import gantry.v1.RecordOutcome;

/**
 * Replay of job and peer records.
 *
 * <p>Job transitions: absent -> RUNNING (v1) on register; RUNNING -> RUNNING (v+1) on a
 * changed spec; STOPPED -> RUNNING (v+1) on register; RUNNING -> STOPPED on stop; any -> absent
 * on purge. Anything else is a no-op or a NOT_FOUND outcome. Every change makes an
 * evaluation so the scheduler brings the allocations in line.
 */
final class JobReplay {
  private final ClusterState state;
  private final EvalFactory evals;
  private final DeploymentReplay deployments;

  JobReplay(ClusterState state) {
    this.state = state;
    this.evals = new EvalFactory(state);
    this.deployments = new DeploymentReplay(state);
  }

  RecordOutcome register(JobRegistered r, long index, Mutations out, Changes changes) {
    return register(r, false, "", null, index, out, changes);
  }

  /**
   * @param reason why this version exists when a registration did not make it ("" for one)
   * @param mark the count change it carries (scale), or null
   */
  private RecordOutcome register(JobRegistered r, boolean autoRevert, String reason, Mark mark, long index,
      Mutations out, Changes changes) {
    String name = r.getSpec().getName();
    Job old = state.jobs.get(name);
    if (old != null && old.getStatus() == JobStatus.JOB_STATUS_RUNNING && old.getSpec().equals(r.getSpec())) {
      return RecordOutcome.newBuilder().setChanged(false).setJob(old).build();
    }
    Job.Builder b = Job.newBuilder()
        .setName(name)
        .setVersion(old == null ? 1 : old.getVersion() + 1)
        .setSpec(r.getSpec())
        .setStatus(JobStatus.JOB_STATUS_RUNNING)
        .setCreateIndex(old == null ? index : old.getCreateIndex())
        .setModifyIndex(index)
        .setSubmitTimeMs(r.getTimeMs())
        .setVersionReason(reason);
    // Cooldowns outlive versions: a registration keeps the last count change of each group it still has.
    if (old != null) {
      old.getLastScaleMap().forEach((g, m) -> {
        if (r.getSpec().getGroupsList().stream().anyMatch(x -> x.getName().equals(g))) b.putLastScale(g, m);
      });
    }
    if (mark != null) b.putLastScale(mark.group(), mark.mark());
    Job job = b.build();
    state.putJob(job, out);
    state.putJobVersion(job, out);
    deployments.registered(job, old, autoRevert, index, r.getTimeMs(), out);
    evals.create(name, "job-register", "", index, r.getTimeMs(), out, changes);
    return RecordOutcome.newBuilder().setChanged(true).setJob(state.jobs.get(name)).build();
  }

  /**
   * One group's count set (gantry job scale): the job's current spec with that count, registered
   * as a new version; its running allocations are updated in place (scheduler InPlace).
   */
  RecordOutcome scale(gantry.v1.JobScaled r, long index, Mutations out, Changes changes) {
    Job job = state.jobs.get(r.getName());
    if (job == null) return notFound(r.getName());
    if (job.getStatus() != JobStatus.JOB_STATUS_RUNNING) {
      return RecordOutcome.newBuilder().setErrorCode("FAILED_PRECONDITION")
          .setErrorMessage("job \"" + r.getName() + "\" is stopped: run it again to scale it").setJob(job).build();
    }
    gantry.v1.JobSpec.Builder spec = job.getSpec().toBuilder();
    int g = 0;
    while (g < spec.getGroupsCount() && !spec.getGroups(g).getName().equals(r.getGroup())) g++;
    if (g == spec.getGroupsCount()) {
      return RecordOutcome.newBuilder().setErrorCode("NOT_FOUND")
          .setErrorMessage("group: job \"" + r.getName() + "\" has no group \"" + r.getGroup() + "\"").setJob(job).build();
    }
    gantry.v1.GroupSpec group = spec.getGroups(g);
    int from = group.hasCount() ? group.getCount() : 1;
    if (r.hasExpectedCount() && r.getExpectedCount() != from) {
      return RecordOutcome.newBuilder().setErrorCode("FAILED_PRECONDITION").setErrorMessage("count: group \"" + r.getGroup()
          + "\" has " + from + " replicas now, not " + r.getExpectedCount() + " as the decision assumed").setJob(job).build();
    }
    if (group.hasScaling() && !r.getAutoscaler()) {
      var s = group.getScaling();
      if (r.getCount() < s.getMin() || r.getCount() > s.getMax()) {
        return RecordOutcome.newBuilder().setErrorCode("INVALID_ARGUMENT").setErrorMessage("count: group \"" + r.getGroup()
            + "\" is autoscaled within " + s.getMin() + ".." + s.getMax() + " (its scaling block), got " + r.getCount())
            .setJob(job).build();
      }
    }
    if (from == r.getCount()) return RecordOutcome.newBuilder().setChanged(false).setJob(job).build();
    spec.setGroups(g, group.toBuilder().setCount(r.getCount()));
    String reason = (r.getAutoscaler() ? "autoscaler: " + r.getReason() : "scaled by a user") + ": group "
        + r.getGroup() + " " + from + " -> " + r.getCount();
    gantry.v1.ScaleMark mark = gantry.v1.ScaleMark.newBuilder().setTimeMs(r.getTimeMs()).setAutoscaler(r.getAutoscaler())
        .setFrom(from).setTo(r.getCount()).setReason(reason).build();
    return register(JobRegistered.newBuilder().setSpec(spec).setTimeMs(r.getTimeMs()).build(), false, reason,
        new Mark(r.getGroup(), mark), index, out, changes);
  }

  private record Mark(String group, gantry.v1.ScaleMark mark) {}

  /** auto_revert: registers a stable version's spec again, as a new version, with no canary phase. */
  Job revert(Job stable, long index, long timeMs, Mutations out, Changes changes) {
    return register(JobRegistered.newBuilder().setSpec(stable.getSpec()).setTimeMs(timeMs).build(), true,
        "auto_revert to version " + stable.getVersion(), null, index, out, changes).getJob();
  }

  /**
   * gantry job revert: version {@code r.version}'s spec registered again as a new version, rolled
   * out under its update policy. Unchanged when it is the current spec already.
   */
  RecordOutcome revert(gantry.v1.JobReverted r, long index, Mutations out, Changes changes) {
    Job job = state.jobs.get(r.getName());
    if (job == null) return notFound(r.getName());
    var all = state.versions.get(r.getName());
    Job version = all == null ? null : all.get(r.getVersion());
    if (version == null) {
      return RecordOutcome.newBuilder().setErrorCode("NOT_FOUND").setErrorMessage("version: job \"" + r.getName()
          + "\" has no version " + r.getVersion() + " (it has " + (all == null ? "none" : "versions " + String.join(", ",
              all.keySet().stream().map(String::valueOf).toList())) + "; the GC keeps the newest " + GcRules.KEPT_VERSIONS
          + " and the newest stable one)").setJob(job).build();
    }
    return register(JobRegistered.newBuilder().setSpec(version.getSpec()).setTimeMs(r.getTimeMs()).build(), false,
        "reverted to version " + r.getVersion(), null, index, out, changes);
  }

  RecordOutcome stop(JobStopped r, long index, Mutations out, Changes changes) {
    Job old = state.jobs.get(r.getName());
    if (old == null) return notFound(r.getName());
    if (old.getStatus() == JobStatus.JOB_STATUS_STOPPED) {
      return RecordOutcome.newBuilder().setChanged(false).setJob(old).build();
    }
    Job job = old.toBuilder().setStatus(JobStatus.JOB_STATUS_STOPPED).setModifyIndex(index).build();
    state.putJob(job, out);
    deployments.stopped(job.getName(), index, r.getTimeMs(), out);
    evals.create(job.getName(), "job-deregister", "", index, r.getTimeMs(), out, changes);
    return RecordOutcome.newBuilder().setChanged(true).setJob(job).build();
  }

  RecordOutcome purge(JobPurged r, long index, Mutations out, Changes changes) {
    String name = r.getName();
    Job old = state.removeJob(name);
    if (old == null) return notFound(name);
    out.delete(Keys.job(name));
    state.deleteJobVersions(name, out);
    deployments.stopped(name, index, r.getTimeMs(), out);
    if (!state.allocsOfJob(name).isEmpty()) evals.create(name, "job-deregister", "", index, r.getTimeMs(), out, changes);
    return RecordOutcome.newBuilder().setChanged(true).setJob(old).build();
  }

  RecordOutcome announcePeer(PeerAnnounced r, Mutations out) {
    Peer peer = Peer.newBuilder().setId(r.getId())
        .setGrpcAddress(r.getGrpcAddress()).setHttpAddress(r.getHttpAddress()).build();
    if (peer.equals(state.peers.get(r.getId()))) return RecordOutcome.newBuilder().setChanged(false).build();
    state.peers.put(peer.getId(), peer);
    out.put(Keys.peer(peer.getId()), peer);
    return RecordOutcome.newBuilder().setChanged(true).build();
  }

  static RecordOutcome notFound(String name) {
    return RecordOutcome.newBuilder().setErrorCode("NOT_FOUND")
        .setErrorMessage("job \"" + name + "\" not found").build();
  }
}
