package gantry.node.state;

import gantry.scheduler.ClusterSnapshot;
import gantry.v1.Allocation;
import gantry.v1.AllocationStatusUpdate;
import gantry.v1.AllocationStop;
import gantry.v1.AllocationsUpdated;
import gantry.v1.AllocatedPort;
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
import java.util.HashSet;
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
 * entry: a placement onto a node that is gone, not ready, or lacks the CPU, memory or ports
 * is dropped and a follow-up evaluation made. The leader's applier already checked, so this
 * only bites when a deposed leader's plan races the new leader's: it makes over-commit
 * impossible whoever proposed the plan.
 */
final class SchedulingReplay {
  private final ClusterState state;
  private final EvalFactory evals;

  SchedulingReplay(ClusterState state) {
    this.state = state;
    this.evals = new EvalFactory(state);
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

  RecordOutcome applyPlan(PlanApplied p, long index, Mutations out, Changes changes) {
    int dropped = 0;
    for (Allocation a : p.getPlacedList()) {
      if (state.allocs.containsKey(a.getId()) || !fits(a)) {
        dropped++;
        continue;
      }
      Allocation.Builder b = a.toBuilder().setCreateIndex(index).setModifyIndex(index).setCreateTimeMs(p.getTimeMs());
      Job job = state.jobs.get(a.getJob());
      if (job != null && job.getVersion() == a.getJobVersion()) {
        groupSpec(job, a.getGroup()).ifPresent(b::setGroupSpec);
      }
      state.putAlloc(b.build(), out);
      changes.nodeTouched(a.getNodeId());
    }
    for (AllocationStop s : p.getStopsList()) {
      Allocation a = state.allocs.get(s.getAllocationId());
      if (a == null) continue;
      Allocation.Builder b = a.toBuilder().setDesiredStatus(DesiredStatus.DESIRED_STATUS_STOP)
          .setDesiredDescription(s.getDescription()).setModifyIndex(index);
      if (s.getClientStatus() != ClientStatus.CLIENT_STATUS_UNSPECIFIED) b.setClientStatus(s.getClientStatus());
      state.putAlloc(b.build(), out);
      changes.nodeTouched(a.getNodeId());
    }
    Evaluation e = state.evals.get(p.getEvalId());
    if (e != null) {
      state.putEval(e.toBuilder().setStatus(p.getEvalStatus()).clearFailedGroups()
          .putAllFailedGroups(p.getFailedGroupsMap()).setModifyIndex(index).build(), out);
    }
    for (Evaluation f : p.getFollowUpsList()) createEval(f, index, out, changes);
    changes.planApplied(p.getEvalId());
    if (dropped > 0 && e != null) {
      evals.create(e.getJob(), "plan-rejected", "", index, p.getTimeMs(), out, changes);
    }
    return RecordOutcome.newBuilder().setChanged(true).build();
  }

  RecordOutcome updateAllocs(AllocationsUpdated u, long index, Mutations out, Changes changes) {
    Set<String> failedJobs = new LinkedHashSet<>();
    for (AllocationStatusUpdate up : u.getUpdatesList()) {
      Allocation a = state.allocs.get(up.getAllocationId());
      if (a == null) continue;
      // A finished allocation stays finished: a later "running" is stale (sent before the end,
      // or by an agent that was cut off while the managers marked it lost and replaced it).
      // Its node's assignments no longer hold it, so that agent stops any copy still running.
      if (finished(a.getClientStatus()) && !finished(up.getClientStatus())) continue;
      Allocation.Builder b = a.toBuilder().clearTasks().putAllTasks(up.getTasksMap())
          .setClientDescription(up.getDescription());
      if (up.getClientStatus() != ClientStatus.CLIENT_STATUS_UNSPECIFIED) b.setClientStatus(up.getClientStatus());
      Allocation updated = b.build();
      if (updated.equals(a)) continue;
      state.putAlloc(updated.toBuilder().setModifyIndex(index).build(), out);
      boolean finished = updated.getClientStatus() != a.getClientStatus() && !ClusterSnapshot.isLive(updated);
      // The node's assignments drop a finished allocation: send them, so the agent cleans up.
      if (finished) changes.nodeTouched(updated.getNodeId());
      boolean ended = finished && updated.getDesiredStatus() == DesiredStatus.DESIRED_STATUS_RUN;
      if (ended && needsReplacement(updated)) failedJobs.add(updated.getJob());
    }
    for (String job : failedJobs) {
      long delay = rescheduleDelayMs(job, u.getTimeMs());
      evals.create(job, "alloc-failure", "", index, u.getTimeMs(), delay == 0 ? 0 : u.getTimeMs() + delay, out, changes);
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

  private static boolean finished(ClientStatus s) {
    return s == ClientStatus.CLIENT_STATUS_COMPLETE || s == ClientStatus.CLIENT_STATUS_FAILED
        || s == ClientStatus.CLIENT_STATUS_LOST;
  }

  /** A batch job's completed allocation is done; anything else that ended is replaced. */
  private boolean needsReplacement(Allocation a) {
    if (a.getClientStatus() != ClientStatus.CLIENT_STATUS_COMPLETE) return true;
    Job job = state.jobs.get(a.getJob());
    return job != null && !"batch".equals(job.getSpec().getType());
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
      if (ClusterSnapshot.isLive(a)) jobs.add(a.getJob());
    }
    for (String job : jobs) evals.create(job, trigger, nodeId, index, timeMs, out, changes);
  }

  /** The deterministic last check: node usable, CPU, memory and host ports free. */
  private boolean fits(Allocation a) {
    Node n = state.nodes.get(a.getNodeId());
    if (n == null || !ClusterSnapshot.isSchedulable(n)) return false;
    long cpu = a.getResources().getCpu();
    long mem = a.getResources().getMemory();
    Set<Integer> ports = new HashSet<>(n.getReservedPortsList());
    for (Allocation other : state.allocsOfNodeUnordered(n.getId())) {
      if (!ClusterSnapshot.isLive(other)) continue;
      cpu += other.getResources().getCpu();
      mem += other.getResources().getMemory();
      for (AllocatedPort p : other.getPortsList()) ports.add(p.getHost());
    }
    if (cpu > n.getCapacity().getCpu() || mem > n.getCapacity().getMemory()) return false;
    for (AllocatedPort p : a.getPortsList()) {
      if (!ports.add(p.getHost())) return false;
    }
    return true;
  }

  private static java.util.Optional<GroupSpec> groupSpec(Job job, String group) {
    return job.getSpec().getGroupsList().stream().filter(g -> g.getName().equals(group)).findFirst();
  }

  private static RecordOutcome notFound(String nodeId) {
    return RecordOutcome.newBuilder().setErrorCode("NOT_FOUND").setErrorMessage("node \"" + nodeId + "\" not found").build();
  }
}
