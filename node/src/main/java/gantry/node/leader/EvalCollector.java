package gantry.node.leader;

import gantry.node.leader.LeaderAction.CollectEvals;
import gantry.node.leader.LeaderAction.Propose;
import gantry.node.state.ClusterState;
import gantry.v1.Evaluation;
import gantry.v1.EvaluationsCollected;
import gantry.v1.Record;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The evaluation GC (Nomad's {@code eval_gc_threshold}), a handler of the leader's loop. Every
 * evaluation is kept in every peer's memory and store and loaded at each start, so without it
 * a long-lived cluster's restart and memory grow with its history. Once a minute (or once per
 * threshold, if shorter) it lists the evaluations that finished more than the threshold ago and
 * that {@link ClusterState#evalCollectable} allows, and proposes their deletion in records of at
 * most {@value #MAX_PER_RECORD}; while more are left, the next tick proposes the next record.
 *
 * <p>One record is in flight at a time. Age is this leader's judgement (replay reads no clock):
 * replay only checks again that each listed evaluation is still collectable.
 */
final class EvalCollector {
  private static final Logger LOG = LoggerFactory.getLogger(EvalCollector.class);
  static final long CHECK_EVERY_MS = 60_000;
  static final int MAX_PER_RECORD = 1000;

  private final long thresholdMs;
  private final long checkEveryMs;
  private long lastCheck = Long.MIN_VALUE;
  private boolean inFlight;
  /** The last check found more than one record's worth: the next tick goes on. */
  private boolean more;

  EvalCollector(Duration threshold) {
    this.thresholdMs = threshold.toMillis();
    this.checkEveryMs = Math.min(CHECK_EVERY_MS, thresholdMs);
  }

  /** Leadership gained: nothing in flight. */
  void reset() {
    lastCheck = Long.MIN_VALUE;
    inFlight = false;
    more = false;
  }

  List<LeaderAction> check(ClusterState state, long nowMs) {
    if (inFlight) return List.of();
    if (!more && lastCheck != Long.MIN_VALUE && nowMs - lastCheck < checkEveryMs) return List.of();
    lastCheck = nowMs;
    List<String> ids = new ArrayList<>();
    more = false;
    for (Evaluation e : state.evals()) {
      if (nowMs - finishedAt(e) < thresholdMs || !state.evalCollectable(e)) continue;
      if (ids.size() == MAX_PER_RECORD) {
        more = true;
        break;
      }
      ids.add(e.getId());
    }
    if (ids.isEmpty()) return List.of();
    inFlight = true;
    LOG.info("collecting {} evaluations finished more than {} s ago{}", ids.size(), thresholdMs / 1000,
        more ? " (more to follow)" : "");
    Record record = Record.newBuilder().setEvaluationsCollected(
        EvaluationsCollected.newBuilder().addAllEvalIds(ids).setTimeMs(nowMs)).build();
    return List.of(new Propose(List.of(record), new CollectEvals(ids.size())));
  }

  /** The record's proposal finished; after a failure the next scheduled check tries again. */
  void done(CollectEvals tag, Throwable error) {
    inFlight = false;
    if (error != null) {
      more = false;
      LOG.warn("collecting {} evaluations failed: {}", tag.count(), error.toString());
    }
  }

  /** When {@code e} took its status: a plan's time, or its creation for one no plan has set. */
  private static long finishedAt(Evaluation e) {
    return Math.max(e.getModifyTimeMs(), e.getCreateTimeMs());
  }
}
