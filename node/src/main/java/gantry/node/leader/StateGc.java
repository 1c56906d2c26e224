package gantry.node.leader;

import gantry.node.leader.LeaderAction.CollectGarbage;
import gantry.node.leader.LeaderAction.Propose;
import gantry.node.state.ClusterState;
import gantry.v1.Allocation;
import gantry.v1.Evaluation;
import gantry.v1.GarbageCollected;
import gantry.v1.Record;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The GC of finished evaluations and allocations (Nomad's {@code eval_gc_threshold}), a handler
 * of the leader's loop. Every evaluation and allocation is kept in every peer's memory and
 * store and loaded at each start, so without it a long-lived cluster's restart and memory grow
 * with its history. Once a minute (or once per threshold, if shorter) it lists what finished
 * more than the threshold ago and {@link ClusterState} says is collectable, and proposes their
 * deletion in GarbageCollected records of at most {@value #MAX_PER_RECORD} ids; while more are
 * left, the next tick proposes the next record. One record is in flight at a time.
 *
 * <p>Age is this leader's judgement (replay reads no clock and only checks again that each id
 * is still collectable). An evaluation's finish time is replicated ({@code modify_time_ms}, set
 * by its plan). An allocation's is not: its age counts from the first check of this leader that
 * found it collectable, so after a leader change it waits one more threshold.
 */
final class StateGc {
  private static final Logger LOG = LoggerFactory.getLogger(StateGc.class);
  static final long CHECK_EVERY_MS = 60_000;
  static final int MAX_PER_RECORD = 1000;

  private final long thresholdMs;
  private final long checkEveryMs;
  private long lastCheck = Long.MIN_VALUE;
  private boolean inFlight;
  /** The last check found more than one record's worth: the next tick goes on. */
  private boolean more;
  /** allocation id -> when a check of this leader first found it collectable */
  private Map<String, Long> collectableSince = new HashMap<>();

  StateGc(Duration threshold) {
    this.thresholdMs = threshold.toMillis();
    this.checkEveryMs = Math.min(CHECK_EVERY_MS, thresholdMs);
  }

  /** Leadership gained: nothing in flight, no allocation seen yet. */
  void reset() {
    lastCheck = Long.MIN_VALUE;
    inFlight = false;
    more = false;
    collectableSince = new HashMap<>();
  }

  List<LeaderAction> check(ClusterState state, long nowMs) {
    if (inFlight) return List.of();
    if (!more && lastCheck != Long.MIN_VALUE && nowMs - lastCheck < checkEveryMs) return List.of();
    lastCheck = nowMs;
    more = false;
    List<String> evals = new ArrayList<>();
    for (Evaluation e : state.evals()) {
      if (nowMs - finishedAt(e) < thresholdMs || !state.evalCollectable(e)) continue;
      if (evals.size() == MAX_PER_RECORD) {
        more = true;
        break;
      }
      evals.add(e.getId());
    }
    List<String> allocs = new ArrayList<>();
    Map<String, Long> since = new HashMap<>();
    for (Allocation a : state.allocs()) {
      if (!state.allocCollectable(a, nowMs)) continue;
      long first = collectableSince.getOrDefault(a.getId(), nowMs);
      since.put(a.getId(), first);
      if (nowMs - first < thresholdMs) continue;
      if (evals.size() + allocs.size() >= MAX_PER_RECORD) {
        more = true;
      } else {
        allocs.add(a.getId());
      }
    }
    collectableSince = since;
    if (evals.isEmpty() && allocs.isEmpty()) return List.of();
    inFlight = true;
    LOG.info("collecting {} evaluations and {} allocations finished more than {} s ago{}", evals.size(), allocs.size(),
        thresholdMs / 1000, more ? " (more to follow)" : "");
    Record record = Record.newBuilder().setGarbageCollected(GarbageCollected.newBuilder()
        .addAllEvalIds(evals).addAllAllocIds(allocs).setTimeMs(nowMs)).build();
    return List.of(new Propose(List.of(record), new CollectGarbage(evals.size(), allocs.size())));
  }

  /** The record's proposal finished; after a failure the next scheduled check tries again. */
  void done(CollectGarbage tag, Throwable error) {
    inFlight = false;
    if (error != null) {
      more = false;
      LOG.warn("collecting {} evaluations and {} allocations failed: {}", tag.evals(), tag.allocs(), error.toString());
    }
  }

  /** When {@code e} took its status: a plan's time, or its creation for one no plan has set. */
  private static long finishedAt(Evaluation e) {
    return Math.max(e.getModifyTimeMs(), e.getCreateTimeMs());
  }
}
