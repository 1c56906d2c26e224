package gantry.node.state;

import gantry.v1.Allocation;
import gantry.v1.Deployment;
import gantry.v1.Evaluation;
import gantry.v1.GarbageCollected;
import gantry.v1.Job;
import gantry.v1.JobVersionRef;
import gantry.v1.Node;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;

/**
 * What the GC may delete now, packed into GarbageCollected records: the one place that lists
 * it, for the leader's GC (which adds its thresholds as an {@link Age}) and for a forced
 * collection ({@code gantry system gc}, {@link #ANY_AGE}). What is collectable at all is
 * {@link GcRules}' to say; replay asks again of each id. A job's versions beyond those kept go
 * whatever their age: they are counted, not timed.
 *
 * <p>A record holds about {@value #MAX_PER_RECORD} deletions, so one entry's replay stays short: a
 * dead job counts with its allocations, which go with it. The first item of a record always fits,
 * so a job with more allocations than that goes alone in its record.
 */
public final class GarbageSelection {
  /** About how many deletions one record holds. */
  public static final int MAX_PER_RECORD = 1000;

  /**
   * Whether a collectable item is old enough to go. Asked once of every collectable item, in
   * order (evaluations, allocations, deployments, jobs, nodes), even after the records are full,
   * so an implementation may note when it first saw each.
   */
  public interface Age {
    boolean evalOldEnough(Evaluation e);

    boolean allocOldEnough(Allocation a);

    boolean deploymentOldEnough(Deployment d);

    boolean jobOldEnough(Job j);

    boolean nodeOldEnough(Node n);
  }

  /** Everything collectable goes, however recent (a forced collection). */
  public static final Age ANY_AGE = new Age() {
    @Override
    public boolean evalOldEnough(Evaluation e) {
      return true;
    }

    @Override
    public boolean allocOldEnough(Allocation a) {
      return true;
    }

    @Override
    public boolean deploymentOldEnough(Deployment d) {
      return true;
    }

    @Override
    public boolean jobOldEnough(Job j) {
      return true;
    }

    @Override
    public boolean nodeOldEnough(Node n) {
      return true;
    }
  };

  /**
   * @param records at most the selection's record limit, each stamped with its time
   * @param more    something old enough was left out for want of room
   */
  public record Selection(List<GarbageCollected> records, boolean more) {}

  private final long nowMs;
  private final int maxRecords;
  private final List<GarbageCollected> records = new ArrayList<>();
  private GarbageCollected.Builder current;
  private int used;
  private boolean more;

  private GarbageSelection(long nowMs, int maxRecords) {
    this.nowMs = nowMs;
    this.maxRecords = maxRecords;
  }

  /**
   * Selects what {@code state} holds collectable and {@code age} finds old enough at
   * {@code nowMs}, in at most {@code maxRecords} records.
   */
  public static Selection select(ClusterState state, long nowMs, Age age, int maxRecords) {
    if (maxRecords < 1) throw new IllegalArgumentException("maxRecords must be at least 1, got " + maxRecords);
    GarbageSelection s = new GarbageSelection(nowMs, maxRecords);
    GcRules rules = new GcRules(state);
    for (Evaluation e : state.evals()) {
      if (rules.eval(e) && age.evalOldEnough(e) && s.room(1)) s.current.addEvalIds(e.getId());
    }
    for (Allocation a : state.allocs()) {
      if (rules.alloc(a, nowMs) && age.allocOldEnough(a) && s.room(1)) s.current.addAllocIds(a.getId());
    }
    for (Deployment d : List.copyOf(state.deployments.values())) {
      if (rules.deployment(d) && age.deploymentOldEnough(d) && s.room(1)) s.current.addDeploymentIds(d.getId());
    }
    for (String job : List.copyOf(state.versions.keySet())) {
      NavigableMap<Long, Job> all = state.versions.get(job);
      if (all == null || all.size() <= GcRules.KEPT_VERSIONS) continue;
      Set<Long> kept = rules.keptVersions(job);
      for (Long v : all.keySet()) {
        if (!kept.contains(v) && s.room(1)) s.current.addVersions(JobVersionRef.newBuilder().setJob(job).setVersion(v));
      }
    }
    for (Job j : state.allJobs()) {
      if (!rules.job(j) || !age.jobOldEnough(j)) continue;
      // A job's replay deletes its allocations too: they count against the record's room.
      if (s.room(1 + state.allocsOfJobUnordered(j.getName()).size())) s.current.addJobs(j.getName());
    }
    for (Node n : state.nodesUnordered()) {
      if (rules.node(n) && age.nodeOldEnough(n) && s.room(1)) s.current.addNodeIds(n.getId());
    }
    if (s.current != null) s.records.add(s.current.build());
    return new Selection(List.copyOf(s.records), s.more);
  }

  /**
   * Makes room for {@code cost} deletions in the current record, or in a new one; false (and
   * more to follow) once the records are all full.
   */
  private boolean room(int cost) {
    if (current != null && used > 0 && used + cost > MAX_PER_RECORD) {
      if (records.size() + 1 >= maxRecords) {
        more = true;
        return false;
      }
      records.add(current.build());
      current = null;
    }
    if (current == null) {
      current = GarbageCollected.newBuilder().setTimeMs(nowMs);
      used = 0;
    }
    used += cost;
    return true;
  }
}
