package gantry.node.state;

import gantry.node.store.Keys;
import gantry.v1.Allocation;
import gantry.v1.Deployment;
import gantry.v1.Evaluation;
import gantry.v1.GarbageCollected;
import gantry.v1.GarbageCounts;
import gantry.v1.Job;
import gantry.v1.RecordOutcome;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Replay of the leader's GC record: deletes each listed evaluation, allocation and job that
 * {@link ClusterState#evalCollectable}, {@link ClusterState#allocCollectable} and
 * {@link ClusterState#jobCollectable} allow, and leaves any other id (gone already, or no longer
 * collectable) alone. A job goes with everything of it: its versions, allocations, evaluations
 * and deployments. No agent holds anything collectable, so none is told; each deletion is an
 * event of type "deleted" through the store's writes.
 */
final class GcReplay {
  private final ClusterState state;

  GcReplay(ClusterState state) {
    this.state = state;
  }

  RecordOutcome collect(GarbageCollected r, Mutations out) {
    Counts n = new Counts();
    for (String id : r.getEvalIdsList()) {
      Evaluation e = state.evals.get(id);
      if (e != null && state.evalCollectable(e)) {
        state.removeEval(e, out);
        n.evals++;
      }
    }
    for (String id : r.getAllocIdsList()) {
      Allocation a = state.allocs.get(id);
      if (a != null && state.allocCollectable(a, r.getTimeMs())) {
        state.removeAlloc(a, out);
        n.allocs++;
      }
    }
    if (r.getJobsCount() > 0) collectJobs(r.getJobsList(), out, n);
    return RecordOutcome.newBuilder().setChanged(n.evals + n.allocs + n.jobs > 0)
        .setCollected(GarbageCounts.newBuilder().setEvaluations(n.evals).setAllocations(n.allocs).setJobs(n.jobs))
        .build();
  }

  /** What one record deleted; a job's evaluations and allocations count too. */
  private static final class Counts {
    int evals;
    int allocs;
    int jobs;
  }

  /** Deletes the collectable jobs of {@code names} and everything of them, counted into {@code n}. */
  private void collectJobs(List<String> names, Mutations out, Counts n) {
    Set<String> busy = state.jobsWithUnfinishedEvals();
    Set<String> gone = new HashSet<>();
    for (String name : names) {
      Job job = state.jobs.get(name);
      if (job == null || !state.jobCollectable(job, busy)) continue;
      state.removeJob(name);
      out.delete(Keys.job(name));
      state.deleteJobVersions(name, out);
      for (Allocation a : state.allocsOfJob(name)) {
        state.removeAlloc(a, out);
        n.allocs++;
      }
      gone.add(name);
    }
    if (gone.isEmpty()) return;
    n.jobs += gone.size();
    // One pass over the evaluations and deployments for all the record's jobs.
    for (Evaluation e : List.copyOf(state.evals.values())) {
      if (gone.contains(e.getJob())) {
        state.removeEval(e, out);
        n.evals++;
      }
    }
    for (Deployment d : List.copyOf(state.deployments.values())) {
      if (gone.contains(d.getJob())) state.removeDeployment(d, out);
    }
  }
}
