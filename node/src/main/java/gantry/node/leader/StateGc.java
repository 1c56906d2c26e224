package gantry.node.leader;

import gantry.node.leader.LeaderAction.CollectGarbage;
import gantry.node.leader.LeaderAction.Propose;
import gantry.node.state.ClusterState;
import gantry.v1.Allocation;
import gantry.v1.Evaluation;
import gantry.v1.GarbageCollected;
import gantry.v1.Job;
import gantry.v1.Record;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GC of finished evaluations and allocations (Nomad's {@code eval_gc_threshold}) and of dead
 * jobs ({@code job_gc_threshold}), a handler of the leader's loop. Every job, evaluation and
 * allocation is kept in every peer's memory and store and loaded at each start, so without it a
 * long-lived cluster's restart and memory grow with its history. Once a minute (or once per
 * threshold, if shorter) it lists what finished more than its threshold ago and
 * {@link ClusterState} says is collectable, and proposes their deletion in GarbageCollected
 * records of about {@value #MAX_PER_RECORD} deletions (a job counts with its allocations); while
 * more are left, the next tick proposes the next record. One record is in flight at a time.
 *
 * <p>Age is this leader's judgement (replay reads no clock and only checks again that each is
 * still collectable). An evaluation's finish time is replicated ({@code modify_time_ms}, set by
 * its plan). An allocation's and a job's are not: their age counts from the first check of this
 * leadership that found them collectable, so after a leader change they wait one more threshold.
 */
final class StateGc {
  private static final Logger LOG = LoggerFactory.getLogger(StateGc.class);
  static final long CHECK_EVERY_MS = 60_000;
  static final int MAX_PER_RECORD = 1000;

  private final long thresholdMs;
  private final long jobThresholdMs;
  private final long checkEveryMs;
  private long lastCheck = Long.MIN_VALUE;
  private boolean inFlight;
  /** The last check found more than one record's worth: the next tick goes on. */
  private boolean more;
  /** Deletions the record being built holds so far. */
  private int used;
  /** allocation id -> when a check of this leadership first found it collectable */
  private Map<String, Long> allocsSince = new HashMap<>();
  /** job name -> when a check of this leadership first found it collectable */
  private Map<String, Long> jobsSince = new HashMap<>();

  /**
   * @param threshold    finished evaluations and allocations older than this go
   * @param jobThreshold jobs dead for longer than this go, with everything of them
   */
  StateGc(Duration threshold, Duration jobThreshold) {
    this.thresholdMs = threshold.toMillis();
    this.jobThresholdMs = jobThreshold.toMillis();
    this.checkEveryMs = Math.min(CHECK_EVERY_MS, Math.min(thresholdMs, jobThresholdMs));
  }

  /** Leadership gained: nothing in flight, no allocation seen yet. */
  void reset() {
    lastCheck = Long.MIN_VALUE;
    inFlight = false;
    more = false;
    allocsSince = new HashMap<>();
    jobsSince = new HashMap<>();
  }

  List<LeaderAction> check(ClusterState state, long nowMs) {
    if (inFlight) return List.of();
    if (!more && lastCheck != Long.MIN_VALUE && nowMs - lastCheck < checkEveryMs) return List.of();
    lastCheck = nowMs;
    more = false;
    used = 0;
    List<String> evals = new ArrayList<>();
    for (Evaluation e : state.evals()) {
      if (nowMs - finishedAt(e) < thresholdMs || !state.evalCollectable(e)) continue;
      if (!fits(1)) break;
      evals.add(e.getId());
    }
    List<String> allocs = new ArrayList<>();
    Map<String, Long> since = new HashMap<>();
    for (Allocation a : state.allocs()) {
      if (state.allocCollectable(a, nowMs)) take(a.getId(), 1, allocsSince, since, nowMs, thresholdMs, allocs);
    }
    allocsSince = since;
    List<String> jobs = new ArrayList<>();
    since = new HashMap<>();
    Set<String> busy = state.jobsWithUnfinishedEvals();
    for (Job j : state.allJobs()) {
      if (!state.jobCollectable(j, busy)) continue;
      // A job's replay deletes its allocations too: they count against the record's room.
      int cost = 1 + state.allocsOfJobUnordered(j.getName()).size();
      take(j.getName(), cost, jobsSince, since, nowMs, jobThresholdMs, jobs);
    }
    jobsSince = since;
    if (evals.isEmpty() && allocs.isEmpty() && jobs.isEmpty()) return List.of();
    inFlight = true;
    LOG.info("collecting {} evaluations and {} allocations finished more than {} s ago, {} jobs dead more than {} s{}",
        evals.size(), allocs.size(), thresholdMs / 1000, jobs.size(), jobThresholdMs / 1000, more ? " (more to follow)" : "");
    Record record = Record.newBuilder().setGarbageCollected(GarbageCollected.newBuilder()
        .addAllEvalIds(evals).addAllAllocIds(allocs).addAllJobs(jobs).setTimeMs(nowMs)).build();
    return List.of(new Propose(List.of(record), new CollectGarbage(evals.size(), allocs.size(), jobs.size())));
  }

  /**
   * {@code key} is collectable now: keeps when it was first found so ({@code was} -> {@code is})
   * and adds it to {@code out} once that is {@code threshold} ago, if the record has room for its
   * {@code cost}.
   */
  private void take(String key, int cost, Map<String, Long> was, Map<String, Long> is, long nowMs, long threshold,
      List<String> out) {
    long first = was.getOrDefault(key, nowMs);
    is.put(key, first);
    if (nowMs - first >= threshold && fits(cost)) out.add(key);
  }

  /**
   * Takes {@code cost} of the record's room of {@value #MAX_PER_RECORD} deletions; false (and
   * more to follow) when it is full. The first item always fits, so a job with more allocations
   * than that still goes, alone in its record.
   */
  private boolean fits(int cost) {
    if (used > 0 && used + cost > MAX_PER_RECORD) {
      more = true;
      return false;
    }
    used += cost;
    return true;
  }

  /** The record's proposal finished; after a failure the next scheduled check tries again. */
  void done(CollectGarbage tag, Throwable error) {
    inFlight = false;
    if (error != null) {
      more = false;
      LOG.warn("collecting {} evaluations, {} allocations and {} jobs failed: {}", tag.evals(), tag.allocs(), tag.jobs(),
          error.toString());
    }
  }

  /** When {@code e} took its status: a plan's time, or its creation for one no plan has set. */
  private static long finishedAt(Evaluation e) {
    return Math.max(e.getModifyTimeMs(), e.getCreateTimeMs());
  }
}
