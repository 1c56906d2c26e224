package gantry.node.state;

import gantry.scheduler.NodeFit;
import gantry.scheduler.AllocationRules;
import gantry.scheduler.AllocUpdate;
import gantry.scheduler.Plan;
import gantry.scheduler.PlanCheck;
import gantry.scheduler.PlanChecker;
import gantry.v1.Allocation;
import gantry.v1.AllocationStatusUpdate;
import gantry.v1.AllocationStop;
import gantry.v1.AllocationsUpdated;
import gantry.v1.ClientStatus;
import gantry.v1.DesiredStatus;
import gantry.v1.EvalStatus;
import gantry.v1.Evaluation;
import gantry.v1.GroupSpec;
import gantry.v1.Job;
import gantry.v1.Node;
import gantry.v1.NodeDrainSet;
import gantry.v1.NodeRegistered;
import gantry.v1.NodeStatus;
import gantry.v1.NodeStatusChanged;
import gantry.v1.PlanApplied;
import gantry.v1.RecordOutcome;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Replay of the scheduling records: nodes, evaluations, applied plans and allocation status.
 *
 * <p>Node transitions: absent -> READY on registration; READY -> DOWN when the leader's
 * heartbeat monitor says so; DOWN -> READY on a new registration or heartbeat. Draining
 * makes a node ineligible (it keeps running what it has until the scheduler migrates it).
 *
 * <p>A plan is re-checked here once more, deterministically, against the state at the
 * entry, with the leader's own {@link PlanChecker}: a placement onto a node that is gone, not
 * ready, or lacks the CPU, memory or ports is dropped (with the stop it would have replaced)
 * and a follow-up evaluation made. The leader's applier already checked, so this
 * only bites when a deposed leader's plan races the new leader's: it makes over-commit
 * impossible whoever proposed the plan.
 */
final class SchedulingReplay {
  private final ClusterState state;
  private final EvalFactory evals;
  private final PlanChecker.NodeView view;

  private final DeploymentReplay deployments;
  private final DeploymentReplay.Reverter reverter;

  SchedulingReplay(ClusterState state, DeploymentReplay.Reverter reverter) {
    this.state = state;
    this.evals = new EvalFactory(state);
    this.view = new StateNodeView(state);
    this.deployments = new DeploymentReplay(state);
    this.reverter = reverter;
  }

  RecordOutcome registerNode(NodeRegistered r, long index, Mutations out, Changes changes) {
    Node given = r.getNode();
    Node old = state.nodes.get(given.getId());
    Node.Builder b = given.toBuilder()
        .setStatus(NodeStatus.NODE_STATUS_READY)
        .setStatusTimeMs(r.getTimeMs())
        .setModifyIndex(index)
        .setCreateIndex(old == null ? index : old.getCreateIndex())
        .setEligible(old == null || old.getEligible())
        .setDraining(old != null && old.getDraining());
    Node node = b.build();
    boolean capacityChanged = old == null || old.getStatus() != NodeStatus.NODE_STATUS_READY
        || !old.getCapacity().equals(node.getCapacity()) || !old.getLabelsMap().equals(node.getLabelsMap())
        || !old.getAttributesMap().equals(node.getAttributesMap());
    state.putNode(node, out);
    changes.nodeTouched(node.getId());
    if (capacityChanged) nodeCameUp(node, index, r.getTimeMs(), out, changes);
    return RecordOutcome.newBuilder().setChanged(true).build();
  }

  RecordOutcome nodeStatus(NodeStatusChanged r, long index, Mutations out, Changes changes) {
    Node old = state.nodes.get(r.getNodeId());
    if (old == null) return notFound(r.getNodeId());
    if (old.getStatus() == r.getStatus()) return RecordOutcome.newBuilder().setChanged(false).build();
    Node node = old.toBuilder().setStatus(r.getStatus()).setStatusTimeMs(r.getTimeMs()).setModifyIndex(index).build();
    state.putNode(node, out);
    changes.nodeTouched(node.getId());
    if (r.getStatus() == NodeStatus.NODE_STATUS_READY) {
      nodeCameUp(node, index, r.getTimeMs(), out, changes);
    } else {
      evaluateJobsOn(node.getId(), "node-update", index, r.getTimeMs(), out, changes);
    }
    return RecordOutcome.newBuilder().setChanged(true).build();
  }

  RecordOutcome drain(NodeDrainSet r, long index, Mutations out, Changes changes) {
    Node old = state.nodes.get(r.getNodeId());
    if (old == null) return notFound(r.getNodeId());
    if (old.getDraining() == r.getDrain()) return RecordOutcome.newBuilder().setChanged(false).build();
    Node node = old.toBuilder().setDraining(r.getDrain()).setEligible(!r.getDrain()).setModifyIndex(index).build();
    state.putNode(node, out);
    changes.nodeTouched(node.getId());
    if (r.getDrain()) {
      evaluateJobsOn(node.getId(), "node-drain", index, r.getTimeMs(), out, changes);
    } else {
      nodeCameUp(node, index, r.getTimeMs(), out, changes);
    }
    return RecordOutcome.newBuilder().setChanged(true).build();
  }

  RecordOutcome createEval(Evaluation e, long index, Mutations out, Changes changes) {
    state.putEval(e.toBuilder().setCreateIndex(index).setModifyIndex(index).build(), out);
    if (e.getStatus() == EvalStatus.EVAL_STATUS_PENDING) changes.evalReady(e.getId());
    return RecordOutcome.newBuilder().setChanged(true).build();
  }

  /**
   * Applies a plan as one consistent change: the same {@link PlanChecker} the leader ran is run
   * again on the replicated state (counting the plan's own stops as freed), then the kept stops
   * are applied before the accepted placements. A replacement on the node of the allocation it
   * replaces (a full node, a static port) therefore commits in the same entry as its stop.
   */
  RecordOutcome applyPlan(PlanApplied p, long index, Mutations out, Changes changes) {
    List<AllocUpdate> stops = new ArrayList<>();
    for (AllocationStop s : p.getStopsList()) {
      Allocation a = state.allocs.get(s.getAllocationId());
      if (a == null) continue;
      stops.add(new AllocUpdate(s.getAllocationId(), a.getNodeId(), DesiredStatus.DESIRED_STATUS_STOP,
          s.getClientStatus(), s.getDescription(), s.getReplacedBy()));
    }
    Plan plan = new Plan(p.getEvalId(), "", index, p.getPlacedList(), stops, Map.of(), 0, p.getUpdatedInPlaceList());
    PlanCheck check = PlanChecker.check(view, plan);
    Set<String> updatedJobs = new LinkedHashSet<>();
    for (Allocation moved : check.accepted().inPlace()) {
      Allocation a = state.allocs.get(moved.getId());
      Allocation.Builder b = a.toBuilder().setJobVersion(moved.getJobVersion()).setGroupSpec(moved.getGroupSpec())
          .setDesiredDescription(moved.getDesiredDescription()).setModifyIndex(index);
      // Its tasks run on unchanged: for the new version's roll-out it is as healthy as it was,
      // and one that never needed a verdict (its version had no update policy) and runs is healthy.
      if (a.getDeployHealth().getStatus().isEmpty() && a.getClientStatus() == ClientStatus.CLIENT_STATUS_RUNNING) {
        b.setDeployHealth(gantry.v1.DeployHealth.newBuilder().setStatus(gantry.scheduler.reconcile.RollingUpdate.HEALTHY)
            .setReason("updated in place from version " + a.getJobVersion() + ", running").setTimeMs(p.getTimeMs()));
      }
      state.putAlloc(b, out);
      changes.allocTouched(a.getNodeId(), a.getId());
      updatedJobs.add(a.getJob());
    }
    for (AllocUpdate u : check.accepted().updates()) {
      Allocation a = state.allocs.get(u.allocId());
      Allocation.Builder b = a.toBuilder().setDesiredStatus(DesiredStatus.DESIRED_STATUS_STOP)
          .setDesiredDescription(u.description()).setModifyIndex(index);
      if (u.clientStatus() != ClientStatus.CLIENT_STATUS_UNSPECIFIED) b.setClientStatus(u.clientStatus());
      state.putAlloc(b, out);
      changes.allocTouched(a.getNodeId(), a.getId());
    }
    for (Allocation a : check.accepted().placements()) {
      Allocation.Builder b = a.toBuilder().setCreateIndex(index).setModifyIndex(index).setCreateTimeMs(p.getTimeMs());
      Job job = state.jobs.get(a.getJob());
      if (job != null && job.getVersion() == a.getJobVersion()) {
        groupSpec(job, a.getGroup()).ifPresent(b::setGroupSpec);
      }
      state.putAlloc(b, out);
      changes.allocTouched(a.getNodeId(), a.getId());
      updatedJobs.add(a.getJob());
    }
    Evaluation e = state.evals.get(p.getEvalId());
    if (e != null) {
      EvalStatus status = p.getEvalStatus();
      // A node came up while the evaluation was being scheduled: its unblock found it pending,
      // not blocked, and the scheduler may not have seen that node. Evaluate it again rather
      // than leave it blocked until some later node change (chaos: a job left with no replica
      // after agents rejoined a new leader just as it marked their nodes down).
      boolean again = status == EvalStatus.EVAL_STATUS_BLOCKED && nodeReadySince(e.getModifyIndex());
      if (again) status = EvalStatus.EVAL_STATUS_PENDING;
      state.putEval(e.toBuilder().setStatus(status).clearFailedGroups()
          .putAllFailedGroups(again ? Map.of() : p.getFailedGroupsMap()).setModifyIndex(index)
          .setModifyTimeMs(p.getTimeMs()).build(), out);
      if (again) changes.evalReady(e.getId());
    }
    for (Evaluation f : p.getFollowUpsList()) createEval(f, index, out, changes);
    // A deployment counts what was placed; one made only of updates in place gets no health
    // report to move it on.
    for (String job : updatedJobs) deployments.recount(job, index, p.getTimeMs(), out, changes, reverter);
    changes.planApplied(p.getEvalId());
    if (!check.fullyAccepted() && e != null) {
      evals.create(e.getJob(), "plan-rejected", "", index, p.getTimeMs(), out, changes);
    }
    return RecordOutcome.newBuilder().setChanged(true).build();
  }

  RecordOutcome updateAllocs(AllocationsUpdated u, long index, Mutations out, Changes changes) {
    Set<String> failedJobs = new LinkedHashSet<>();
    Set<String> healthDecided = new LinkedHashSet<>();
    for (AllocationStatusUpdate up : u.getUpdatesList()) {
      Allocation before = state.allocs.get(up.getAllocationId());
      if (before == null) continue;
      Allocation a = before;
      // Deploy health is decided once, by the agent: the first report stands.
      if (a.getDeployHealth().getStatus().isEmpty() && !up.getDeployHealth().getStatus().isEmpty()) {
        a = a.toBuilder().setDeployHealth(up.getDeployHealth()).build();
        healthDecided.add(a.getJob());
      }
      // A finished allocation stays finished: a later "running" is stale (sent before the end,
      // or by an agent that was cut off while the managers marked it lost and replaced it).
      // Its node's assignments no longer hold it, so that agent stops any copy still running.
      if (AllocationRules.isTerminal(a.getClientStatus()) && !AllocationRules.isTerminal(up.getClientStatus())) {
        if (a != before) state.putAlloc(a.toBuilder().setModifyIndex(index), out);
        continue;
      }
      Allocation.Builder b = a.toBuilder().clearTasks().putAllTasks(up.getTasksMap())
          .setClientDescription(up.getDescription());
      if (up.getClientStatus() != ClientStatus.CLIENT_STATUS_UNSPECIFIED) b.setClientStatus(up.getClientStatus());
      Allocation updated = b.build();
      if (updated.equals(before)) continue;
      state.putAlloc(updated.toBuilder().setModifyIndex(index), out);
      boolean finished = updated.getClientStatus() != a.getClientStatus() && !AllocationRules.isLive(updated);
      // The node's assignments drop a finished allocation: send them, so the agent cleans up.
      if (finished) changes.allocTouched(updated.getNodeId(), updated.getId());
      boolean ended = finished && updated.getDesiredStatus() == DesiredStatus.DESIRED_STATUS_RUN;
      if (ended && needsReplacement(updated)) failedJobs.add(updated.getJob());
    }
    for (String job : failedJobs) {
      long delay = rescheduleDelayMs(job, u.getTimeMs());
      evals.create(job, "alloc-failure", "", index, u.getTimeMs(), delay == 0 ? 0 : u.getTimeMs() + delay, out, changes);
    }
    // A rolling update waits for the health of what it started (scheduler RollingUpdate).
    for (String job : healthDecided) {
      long versionBefore = state.jobs.containsKey(job) ? state.jobs.get(job).getVersion() : 0;
      deployments.recount(job, index, u.getTimeMs(), out, changes, reverter);
      boolean reverted = state.jobs.containsKey(job) && state.jobs.get(job).getVersion() != versionBefore;
      // A revert registered a version, which made its own evaluation.
      if (!reverted && !failedJobs.contains(job)) evals.create(job, "alloc-health", "", index, u.getTimeMs(), out, changes);
    }
    return RecordOutcome.newBuilder().setChanged(true).build();
  }

  /**
   * How long the replacement of a failed allocation waits: at once for the first failure of
   * the job in the last {@link #FAILURE_WINDOW_MS} (fencing not counted), then 1 s, 2 s,
   * 4 s... up to a minute, so a
   * task that fails at start is not replaced in a tight loop (Nomad's reschedule delay).
   * Derived from the replicated state and the record's time only: every peer agrees.
   */
  long rescheduleDelayMs(String job, long nowMs) {
    long recent = state.allocsOfJob(job).stream()
        .filter(a -> a.getClientStatus() == ClientStatus.CLIENT_STATUS_FAILED)
        // An agent that stopped its work because it lost every manager reports "fenced: ..."
        // (agent FencingPolicy): the node's fault, not the task's, so it does not slow down.
        .filter(a -> !a.getClientDescription().startsWith("fenced:"))
        .filter(a -> a.getCreateTimeMs() >= nowMs - FAILURE_WINDOW_MS)
        .count();
    if (recent <= 1) return 0;
    return Math.min(MAX_RESCHEDULE_DELAY_MS, 1000L << Math.min(16, recent - 2));
  }

  static final long FAILURE_WINDOW_MS = 10 * 60_000;
  static final long MAX_RESCHEDULE_DELAY_MS = 60_000;

  /** A batch job's completed allocation is done; anything else that ended is replaced. */
  private boolean needsReplacement(Allocation a) {
    if (a.getClientStatus() != ClientStatus.CLIENT_STATUS_COMPLETE) return true;
    Job job = state.jobs.get(a.getJob());
    return job != null && !"batch".equals(job.getSpec().getType());
  }

  /**
   * Whether a node that can take work (ready, eligible) was written after {@code index}: it may
   * have come up since, so work that found no room then may fit now. Pure: every peer agrees.
   */
  private boolean nodeReadySince(long index) {
    for (Node n : state.nodes.values()) {
      if (n.getModifyIndex() > index && n.getStatus() == NodeStatus.NODE_STATUS_READY && n.getEligible()) return true;
    }
    return false;
  }

  private void nodeCameUp(Node node, long index, long timeMs, Mutations out, Changes changes) {
    evals.unblock(index, out, changes);
    for (Job job : state.jobs.values()) {
      if ("system".equals(job.getSpec().getType()) && job.getStatus() == gantry.v1.JobStatus.JOB_STATUS_RUNNING) {
        evals.create(job.getName(), "node-update", node.getId(), index, timeMs, out, changes);
      }
    }
  }

  private void evaluateJobsOn(String nodeId, String trigger, long index, long timeMs, Mutations out, Changes changes) {
    Set<String> jobs = new LinkedHashSet<>();
    for (Allocation a : state.allocsOfNode(nodeId)) {
      if (AllocationRules.isLive(a)) jobs.add(a.getJob());
    }
    for (String job : jobs) evals.create(job, trigger, nodeId, index, timeMs, out, changes);
  }

  /** The group of {@code job}'s spec named {@code group}: what a placement's allocation carries. */
  static java.util.Optional<GroupSpec> groupSpec(Job job, String group) {
    return job.getSpec().getGroupsList().stream().filter(g -> g.getName().equals(group)).findFirst();
  }

  private static RecordOutcome notFound(String nodeId) {
    return RecordOutcome.newBuilder().setErrorCode("NOT_FOUND").setErrorMessage("node \"" + nodeId + "\" not found").build();
  }
}
