package gantry.node.leader;

import gantry.node.leader.LeaderAction.CollectGarbage;
import gantry.node.leader.LeaderAction.Propose;
import gantry.node.config.GcThresholds;
import gantry.node.state.ClusterState;
import gantry.node.state.GarbageSelection;
import gantry.v1.Allocation;
import gantry.v1.Deployment;
import gantry.v1.Evaluation;
import gantry.v1.GarbageCollected;
import gantry.v1.Job;
import gantry.v1.Node;
import gantry.v1.Record;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GC of finished evaluations and allocations (Nomad's {@code eval_gc_threshold}), of dead
 * jobs ({@code job_gc_threshold}), of ended deployments ({@code deployment_gc_threshold}), of down
 * nodes with nothing on them ({@code node_gc_threshold}) and of a job's versions beyond those
 * kept, a handler of the leader's loop. Everything is kept in every peer's memory and store and
 * loaded at each start, so without it a long-lived cluster's restart and memory grow with its
 * history. Once a minute (or once per threshold, if shorter) it lists what finished more than its
 * threshold ago and the rules of {@code state/GcRules} call collectable, and proposes their deletion in
 * GarbageCollected records ({@link GarbageSelection}: about a thousand deletions each); while more
 * are left, the next tick proposes the next record. One record is in flight at a time.
 *
 * <p>Age is this leader's judgement (replay reads no clock and only checks again that each is
 * still collectable). An evaluation's finish time is replicated ({@code modify_time_ms}, set by
 * its plan), as is a node's status time. An allocation's, a job's and a deployment's are not:
 * their age counts from the first check of this leadership that found them collectable, so after
 * a leader change they wait one more threshold.
 */
final class StateGc {
  private static final Logger LOG = LoggerFactory.getLogger(StateGc.class);
  static final long CHECK_EVERY_MS = 60_000;

  private final long thresholdMs;
  private final long jobThresholdMs;
  private final long deploymentThresholdMs;
  private final long nodeThresholdMs;
  private final long checkEveryMs;
  private long lastCheck = Long.MIN_VALUE;
  private boolean inFlight;
  /** The last check found more than one record's worth: the next tick goes on. */
  private boolean more;
  /** allocation id -> when a check of this leadership first found it collectable */
  private Map<String, Long> allocsSince = new HashMap<>();
  /** job name -> when a check of this leadership first found it collectable */
  private Map<String, Long> jobsSince = new HashMap<>();
  /** deployment id -> when a check of this leadership first found it collectable */
  private Map<String, Long> deploymentsSince = new HashMap<>();

  StateGc(GcThresholds thresholds) {
    this.thresholdMs = thresholds.evals().toMillis();
    this.jobThresholdMs = thresholds.jobs().toMillis();
    this.deploymentThresholdMs = thresholds.deployments().toMillis();
    this.nodeThresholdMs = thresholds.nodes().toMillis();
    long shortest = Math.min(Math.min(thresholdMs, jobThresholdMs), Math.min(deploymentThresholdMs, nodeThresholdMs));
    this.checkEveryMs = Math.min(CHECK_EVERY_MS, shortest);
  }

  /** Leadership gained: nothing in flight, no allocation seen yet. */
  void reset() {
    lastCheck = Long.MIN_VALUE;
    inFlight = false;
    more = false;
    allocsSince = new HashMap<>();
    jobsSince = new HashMap<>();
    deploymentsSince = new HashMap<>();
  }

  List<LeaderAction> check(ClusterState state, long nowMs) {
    if (inFlight) return List.of();
    if (!more && lastCheck != Long.MIN_VALUE && nowMs - lastCheck < checkEveryMs) return List.of();
    lastCheck = nowMs;
    Map<String, Long> allocsNow = new HashMap<>();
    Map<String, Long> jobsNow = new HashMap<>();
    Map<String, Long> deploymentsNow = new HashMap<>();
    GarbageSelection.Selection selection = GarbageSelection.select(state, nowMs, new GarbageSelection.Age() {
      @Override
      public boolean evalOldEnough(Evaluation e) {
        return nowMs - finishedAt(e) >= thresholdMs;
      }

      @Override
      public boolean allocOldEnough(Allocation a) {
        return oldEnough(a.getId(), allocsSince, allocsNow, nowMs, thresholdMs);
      }

      @Override
      public boolean deploymentOldEnough(Deployment d) {
        return oldEnough(d.getId(), deploymentsSince, deploymentsNow, nowMs, deploymentThresholdMs);
      }

      @Override
      public boolean jobOldEnough(Job j) {
        return oldEnough(j.getName(), jobsSince, jobsNow, nowMs, jobThresholdMs);
      }

      @Override
      public boolean nodeOldEnough(Node n) {
        return nowMs - n.getStatusTimeMs() >= nodeThresholdMs;
      }
    }, 1);
    allocsSince = allocsNow;
    jobsSince = jobsNow;
    deploymentsSince = deploymentsNow;
    more = selection.more();
    if (selection.records().isEmpty()) return List.of();
    GarbageCollected record = selection.records().getFirst();
    inFlight = true;
    LOG.info("collecting {} evaluations and {} allocations finished more than {} s ago, {} jobs dead more than {} s, "
        + "{} deployments ended more than {} s ago, {} old job versions and {} nodes down more than {} s{}",
        record.getEvalIdsCount(), record.getAllocIdsCount(), thresholdMs / 1000, record.getJobsCount(),
        jobThresholdMs / 1000, record.getDeploymentIdsCount(), deploymentThresholdMs / 1000, record.getVersionsCount(),
        record.getNodeIdsCount(), nodeThresholdMs / 1000, more ? " (more to follow)" : "");
    return List.of(new Propose(List.of(Record.newBuilder().setGarbageCollected(record).build()),
        new CollectGarbage(what(record))));
  }

  /**
   * {@code key} is collectable now: keeps when it was first found so ({@code was} -> {@code is})
   * and says whether that is {@code threshold} ago.
   */
  private static boolean oldEnough(String key, Map<String, Long> was, Map<String, Long> is, long nowMs, long threshold) {
    long first = was.getOrDefault(key, nowMs);
    is.put(key, first);
    return nowMs - first >= threshold;
  }

  /** The record's proposal finished; after a failure the next scheduled check tries again. */
  void done(CollectGarbage tag, Throwable error) {
    inFlight = false;
    if (error != null) {
      more = false;
      LOG.warn("collecting {} failed: {}", tag.what(), error.toString());
    }
  }

  /** How many of each kind {@code r} lists. */
  private static String what(GarbageCollected r) {
    return r.getEvalIdsCount() + " evaluations, " + r.getAllocIdsCount() + " allocations, " + r.getJobsCount() + " jobs, "
        + r.getDeploymentIdsCount() + " deployments, " + r.getVersionsCount() + " job versions and " + r.getNodeIdsCount()
        + " nodes";
  }

  /** When {@code e} took its status: a plan's time, or its creation for one no plan has set. */
  private static long finishedAt(Evaluation e) {
    return Math.max(e.getModifyTimeMs(), e.getCreateTimeMs());
  }
}
