package gantry.node.state;

import gantry.node.store.Keys;
import gantry.v1.Allocation;
import gantry.v1.Deployment;
import gantry.v1.Evaluation;
import gantry.v1.GarbageCollected;
import gantry.v1.GarbageCounts;
import gantry.v1.Job;
import gantry.v1.JobVersionRef;
import gantry.v1.Node;
import gantry.v1.RecordOutcome;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Replay of a GC record (the leader's, or {@code gantry system gc}'s): deletes each listed
 * evaluation, allocation, deployment, job version, job and node that {@link GcRules} allow, and
 * leaves any other id (gone already, or no longer collectable) alone. A job goes with everything
 * of it: its versions, allocations, evaluations and deployments. No agent holds anything
 * collectable; a deleted node is marked touched, so the leader closes a session its agent may
 * have opened meanwhile. Each deletion is an event of type "deleted" through the store's writes.
 * The outcome counts what went.
 */
final class GcReplay {
  private final ClusterState state;

  GcReplay(ClusterState state) {
    this.state = state;
  }

  RecordOutcome collect(GarbageCollected r, Mutations out, Changes changes) {
    GcRules rules = new GcRules(state);
    GarbageCounts.Builder n = GarbageCounts.newBuilder();
    for (String id : r.getEvalIdsList()) {
      Evaluation e = state.evals.get(id);
      if (e != null && rules.eval(e)) {
        state.removeEval(e, out);
        n.setEvaluations(n.getEvaluations() + 1);
      }
    }
    for (String id : r.getAllocIdsList()) {
      Allocation a = state.allocs.get(id);
      if (a != null && rules.alloc(a, r.getTimeMs())) {
        state.removeAlloc(a, out);
        n.setAllocations(n.getAllocations() + 1);
      }
    }
    for (String id : r.getDeploymentIdsList()) {
      Deployment d = state.deployments.get(id);
      if (d != null && rules.deployment(d)) {
        state.removeDeployment(d, out);
        n.setDeployments(n.getDeployments() + 1);
      }
    }
    Map<String, Set<Long>> kept = new HashMap<>();
    for (JobVersionRef v : r.getVersionsList()) {
      if (!kept.computeIfAbsent(v.getJob(), rules::keptVersions).contains(v.getVersion())
          && state.removeJobVersion(v.getJob(), v.getVersion(), out)) {
        n.setVersions(n.getVersions() + 1);
      }
    }
    if (r.getJobsCount() > 0) collectJobs(r.getJobsList(), rules, out, n);
    for (String id : r.getNodeIdsList()) {
      Node node = state.nodes.get(id);
      if (node != null && rules.node(node)) {
        state.removeNode(id, out);
        // The leader's view drops it; a session still open for it is closed (its agent registers again).
        changes.nodeTouched(id);
        n.setNodes(n.getNodes() + 1);
      }
    }
    GarbageCounts counts = n.build();
    // Changed when anything went: any count above zero, whatever kinds GarbageCounts has.
    boolean changed = !counts.equals(GarbageCounts.getDefaultInstance());
    return RecordOutcome.newBuilder().setChanged(changed).setCollected(counts).build();
  }

  /** Deletes the collectable jobs of {@code names} and everything of them, counted into {@code n}. */
  private void collectJobs(List<String> names, GcRules rules, Mutations out, GarbageCounts.Builder n) {
    Set<String> gone = new HashSet<>();
    for (String name : names) {
      Job job = state.jobs.get(name);
      if (job == null || !rules.job(job)) continue;
      state.removeJob(name);
      out.delete(Keys.job(name));
      n.setVersions(n.getVersions() + state.deleteJobVersions(name, out));
      for (Allocation a : state.allocsOfJob(name)) {
        state.removeAlloc(a, out);
        n.setAllocations(n.getAllocations() + 1);
      }
      gone.add(name);
    }
    if (gone.isEmpty()) return;
    n.setJobs(n.getJobs() + gone.size());
    // One pass over the evaluations and deployments for all the record's jobs.
    for (Evaluation e : List.copyOf(state.evals.values())) {
      if (gone.contains(e.getJob())) {
        state.removeEval(e, out);
        n.setEvaluations(n.getEvaluations() + 1);
      }
    }
    for (Deployment d : List.copyOf(state.deployments.values())) {
      if (gone.contains(d.getJob())) {
        state.removeDeployment(d, out);
        n.setDeployments(n.getDeployments() + 1);
      }
    }
  }
}
