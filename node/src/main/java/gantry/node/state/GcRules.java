package gantry.node.state;

import gantry.scheduler.AllocationRules;
import gantry.v1.Allocation;
import gantry.v1.ClientStatus;
import gantry.v1.Deployment;
import gantry.v1.DesiredStatus;
import gantry.v1.EvalStatus;
import gantry.v1.Evaluation;
import gantry.v1.Job;
import gantry.v1.JobStatus;
import gantry.v1.Node;
import gantry.v1.NodeStatus;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;

/**
 * What the GC may delete, whatever its age (which is the leader's to judge): the one place of
 * these rules. {@link GarbageSelection} lists by them; replay ({@link GcReplay}) asks them again of
 * every id a record names, so a record that raced a change deletes nothing it must not. They read
 * only the state, never a clock: a record's time stands in for one.
 *
 * <p>One instance answers for one state as it is: the scans some rules need (the jobs with an
 * evaluation to run, each job's newest deployment) are made at their first question.
 */
final class GcRules {
  /**
   * The versions of a job the GC keeps, newest first, beside its current version and the newest
   * stable one before it (auto_revert's target): Nomad's {@code JobTrackedVersions}.
   */
  static final int KEPT_VERSIONS = 6;

  private final ClusterState state;
  private Set<String> busyJobs;
  private Map<String, Deployment> newestDeployments;

  GcRules(ClusterState state) {
    this.state = state;
  }

  /**
   * An evaluation goes when it is finished, and it is not the latest evaluation of a job that
   * still exists, whose failures the job's summary shows.
   */
  boolean eval(Evaluation e) {
    boolean finished = switch (e.getStatus()) {
      case EVAL_STATUS_COMPLETE, EVAL_STATUS_FAILED, EVAL_STATUS_CANCELED -> true;
      default -> false;
    };
    return finished && !(state.jobs.containsKey(e.getJob())
        && state.latestEval(e.getJob()).map(latest -> latest.getId().equals(e.getId())).orElse(false));
  }

  /**
   * An allocation goes when it was told to stop and finished on its agent (so no agent holds it:
   * {@code Dispatcher} no longer assigns it), its job has no active deployment (which counts its
   * allocations), and, if it failed, it is out of the reschedule delay's window of failures at
   * {@code nowMs} (a record's time in replay). A batch job's completed allocation stays while the
   * job wants it run, so it is not run again.
   */
  boolean alloc(Allocation a, long nowMs) {
    return a.getDesiredStatus() == DesiredStatus.DESIRED_STATUS_STOP
        && AllocationRules.isTerminal(a.getClientStatus())
        && state.activeDeployment(a.getJob()).isEmpty()
        && (a.getClientStatus() != ClientStatus.CLIENT_STATUS_FAILED
            || a.getCreateTimeMs() < nowMs - SchedulingReplay.FAILURE_WINDOW_MS);
  }

  /**
   * A job goes, with everything of it, when it is dead, that is stopped or a batch job (whose
   * work is done once nothing of it runs): no agent runs or still stops an allocation of it, no
   * evaluation of it is to run (a failed batch allocation's replacement is one), and no
   * deployment of it is active.
   */
  boolean job(Job job) {
    boolean dead = job.getStatus() == JobStatus.JOB_STATUS_STOPPED || "batch".equals(job.getSpec().getType());
    if (!dead || busyJobs().contains(job.getName()) || state.activeDeployment(job.getName()).isPresent()) return false;
    for (Allocation a : state.allocsOfJobUnordered(job.getName())) {
      if (AllocationRules.isLive(a) || AllocationRules.isStopping(a)) return false;
    }
    return true;
  }

  /**
   * A deployment goes when it has ended (succeeded, failed, cancelled) and it is not the newest
   * of a job that still exists, which {@code job status} shows.
   */
  boolean deployment(Deployment d) {
    if (DeploymentMachine.isActive(d.getStatus())) return false;
    Deployment newest = newestDeployments().get(d.getJob());
    return !(state.jobs.containsKey(d.getJob()) && newest != null && newest.getId().equals(d.getId()));
  }

  /**
   * A node goes when it is down and no allocation is left on it (its finished ones go first, after
   * {@code eval_gc_threshold}). Its agent, if it comes back, registers it again: the leader closes
   * a session it still holds for a node that went ({@code Dispatcher}).
   */
  boolean node(Node n) {
    return n.getStatus() == NodeStatus.NODE_STATUS_DOWN && state.allocsOfNodeUnordered(n.getId()).isEmpty();
  }

  /**
   * The versions of {@code job} the GC keeps: the newest {@value #KEPT_VERSIONS}, the current
   * one, the newest stable one before it (auto_revert registers it again when a roll-out fails)
   * and the version of an active deployment. Any other goes.
   */
  Set<Long> keptVersions(String job) {
    NavigableMap<Long, Job> all = state.versions.get(job);
    if (all == null) return Set.of();
    Set<Long> kept = new HashSet<>();
    for (Long v : all.descendingKeySet()) {
      if (kept.size() == KEPT_VERSIONS) break;
      kept.add(v);
    }
    Job current = state.jobs.get(job);
    if (current != null) {
      kept.add(current.getVersion());
      all.headMap(current.getVersion(), false).descendingMap().values().stream().filter(Job::getStable).findFirst()
          .ifPresent(stable -> kept.add(stable.getVersion()));
    }
    state.activeDeployment(job).ifPresent(d -> kept.add(d.getJobVersion()));
    return kept;
  }

  /** The jobs with a PENDING or BLOCKED evaluation (a scan of every evaluation, once). */
  private Set<String> busyJobs() {
    if (busyJobs == null) {
      busyJobs = new HashSet<>();
      for (Evaluation e : state.evals.values()) {
        if (e.getStatus() == EvalStatus.EVAL_STATUS_PENDING || e.getStatus() == EvalStatus.EVAL_STATUS_BLOCKED) {
          busyJobs.add(e.getJob());
        }
      }
    }
    return busyJobs;
  }

  /**
   * Each job's newest deployment, the first of {@link ClusterState#deployments}' order (a scan of
   * every deployment, once; the same on every peer whatever the maps' order).
   */
  private Map<String, Deployment> newestDeployments() {
    if (newestDeployments == null) {
      newestDeployments = new HashMap<>();
      for (Deployment d : state.deployments.values()) {
        newestDeployments.merge(d.getJob(), d, (a, b) -> a.getCreateIndex() != b.getCreateIndex()
            ? (a.getCreateIndex() > b.getCreateIndex() ? a : b)
            : (a.getId().compareTo(b.getId()) <= 0 ? a : b));
      }
    }
    return newestDeployments;
  }
}
