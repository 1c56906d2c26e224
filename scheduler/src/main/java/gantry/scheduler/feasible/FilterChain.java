package gantry.scheduler.feasible;

import gantry.scheduler.ClusterSnapshot;
import gantry.v1.Constraint;
import gantry.v1.GroupSpec;
import gantry.v1.JobSpec;
import gantry.v1.PlacementFailure;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The ordered feasibility filters of one task group: ready, driver, the job's then the
 * group's constraints, distinct_hosts, cpu/memory, ports. A node's rejection is the reason
 * of the first filter that rejects it, which is what the explanation counts.
 */
public final class FilterChain {
  private final List<NodeFilter> statics = new ArrayList<>();
  private final List<NodeFilter> dynamics = new ArrayList<>();
  private final List<ConstraintFilter> constraints = new ArrayList<>();

  private FilterChain() {}

  public static FilterChain of(JobSpec job, GroupSpec group) {
    FilterChain c = new FilterChain();
    c.statics.add(new ReadyFilter());
    c.statics.add(new DriverFilter());
    boolean distinct = false;
    List<Constraint> all = new ArrayList<>(job.getConstraintsList());
    all.addAll(group.getConstraintsList());
    for (Constraint k : all) {
      if (k.getOperator().equals("distinct_hosts")) {
        distinct |= !k.getValue().equalsIgnoreCase("false");
        continue;
      }
      ConstraintFilter f = ConstraintFilter.of(k);
      c.statics.add(f);
      c.constraints.add(f);
    }
    if (distinct) {
      c.dynamics.add(new DistinctHostsFilter());
    }
    c.dynamics.add(new ResourceFilter());
    c.dynamics.add(new PortFilter());
    return c;
  }

  public List<NodeFilter> filters() {
    List<NodeFilter> all = new ArrayList<>(statics);
    all.addAll(dynamics);
    return all;
  }

  public boolean distinctHosts() {
    return dynamics.stream().anyMatch(f -> f instanceof DistinctHostsFilter);
  }

  public String staticReject(int node, PlacementContext ctx) {
    for (NodeFilter f : statics) {
      String why = f.reject(node, ctx);
      if (why != null) {
        return why;
      }
    }
    return null;
  }

  public String dynamicReject(int node, PlacementContext ctx) {
    for (NodeFilter f : dynamics) {
      String why = f.reject(node, ctx);
      if (why != null) {
        return why;
      }
    }
    return null;
  }

  public String reject(int node, PlacementContext ctx) {
    String why = staticReject(node, ctx);
    return why != null ? why : dynamicReject(node, ctx);
  }

  /**
   * Nodes that pass every static filter, ascending; the same set as running
   * {@link #staticReject} on every node, computed from the snapshot's indexes: start from the
   * schedulable nodes, intersect the posting lists of the drivers, and for each constraint
   * on an indexed attribute run its test once per distinct value and keep the union of the
   * matching values' nodes (plus the nodes lacking the attribute when the test accepts a
   * missing value, as != does). Only constraints on unindexed attributes run per node.
   */
  public int[] staticCandidates(PlacementContext ctx) {
    ClusterSnapshot snap = ctx.snapshot();
    BitSet allowed = snap.schedulableSet();
    for (String driver : ctx.ask().drivers()) {
      BitSet with = new BitSet(snap.nodeCount());
      snap.orInto(ClusterSnapshot.DRIVER, driver, with);
      allowed.and(with);
    }
    List<ConstraintFilter> perNode = new ArrayList<>();
    for (ConstraintFilter f : constraints) {
      ConstraintMatcher m = f.matcher();
      if (!ClusterSnapshot.indexable(m.attribute())) {
        perNode.add(f);
        continue;
      }
      Map<String, int[]> values = snap.postings(m.attribute());
      BitSet match = new BitSet(snap.nodeCount());
      BitSet having = m.test().test(null) ? new BitSet(snap.nodeCount()) : null;
      for (String v : values.keySet()) {
        if (m.test().test(v)) {
          snap.orInto(m.attribute(), v, match);
        } else if (having != null) {
          snap.orInto(m.attribute(), v, having);
        }
      }
      if (having != null) {
        // Accepts a missing value (as != does): also every schedulable node without the attribute.
        BitSet missing = snap.schedulableSet();
        missing.andNot(having);
        missing.andNot(match);
        match.or(missing);
      }
      allowed.and(match);
    }
    int[] out = new int[allowed.cardinality()];
    int k = 0;
    for (int node = allowed.nextSetBit(0); node >= 0; node = allowed.nextSetBit(node + 1)) {
      boolean ok = true;
      for (ConstraintFilter f : perNode) {
        if (f.reject(node, ctx) != null) {
          ok = false;
          break;
        }
      }
      if (ok) {
        out[k++] = node;
      }
    }
    return k == out.length ? out : Arrays.copyOf(out, k);
  }

  /**
   * Why {@code unplaced} allocations found no node: every node of the cluster (or the given
   * ones) run through the whole chain against the plan's current usage.
   */
  public PlacementFailure explain(PlacementContext ctx, int unplaced, int[] nodes) {
    Map<String, Integer> counts = new LinkedHashMap<>();
    int evaluated = 0;
    int total = nodes == null ? ctx.snapshot().nodeCount() : nodes.length;
    for (int i = 0; i < total; i++) {
      int node = nodes == null ? i : nodes[i];
      evaluated++;
      String why = reject(node, ctx);
      if (why != null) {
        counts.merge(why, 1, Integer::sum);
      }
    }
    return failure(unplaced, evaluated, counts);
  }

  /** Builds the user-facing failure: "5 nodes evaluated: 3 exhausted memory, 2 failed ...". */
  public static PlacementFailure failure(int unplaced, int evaluated, Map<String, Integer> counts) {
    List<Map.Entry<String, Integer>> sorted = new ArrayList<>(counts.entrySet());
    sorted.sort(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder())
        .thenComparing(Map.Entry.comparingByKey()));
    StringBuilder msg = new StringBuilder().append(evaluated).append(evaluated == 1 ? " node" : " nodes")
        .append(" evaluated");
    String sep = ": ";
    for (Map.Entry<String, Integer> e : sorted) {
      msg.append(sep).append(e.getValue()).append(' ').append(e.getKey());
      sep = ", ";
    }
    if (sorted.isEmpty()) {
      msg.append(": no node left after earlier placements");
    }
    return PlacementFailure.newBuilder().setUnplaced(unplaced).setNodesEvaluated(evaluated)
        .putAllFiltered(counts).setMessage(msg.toString()).build();
  }
}
