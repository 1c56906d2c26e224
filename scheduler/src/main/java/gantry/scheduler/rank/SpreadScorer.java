package gantry.scheduler.rank;

import gantry.scheduler.ClusterSnapshot;
import gantry.scheduler.feasible.NodeAttributes;
import gantry.v1.Node;
import gantry.v1.SpreadSpec;
import gantry.v1.SpreadTarget;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The group's {@code spread} blocks. For each block and attribute value v:
 * {@code desired(v) = percent(v) / 100 * count} with targets (values not listed share the
 * percent left over equally), or {@code count / distinct values} without, where the values
 * are those of the candidate nodes and of the group's kept allocations. The score of a node
 * with value v is the deficit {@code desired(v) - current(v)} in allocations, and
 * {@code -count} when the node lacks the attribute or desired(v) is 0 (used only when
 * nothing else is left). Blocks are combined weighted (weight 0 counts as 50; weights are
 * normalized to sum to 1).
 *
 * <p>Counting in allocations, not in a fraction of the target, is deliberate: the other
 * scores lie within [-2, 2], so one allocation of imbalance outweighs any difference in
 * fit, and a spread stays within a few allocations of its targets at any scale, while fit,
 * anti-affinity and affinity still pick the node inside a value.
 *
 * <p>Values are interned to small ids per block, read from the snapshot's attribute index
 * rather than per node; a node's bucket code combines its ids, so the candidate queue can
 * score whole buckets of nodes that share their values.
 */
public final class SpreadScorer {
  private final int blocks;
  private final int desiredCount;
  private final double[] weights;
  private final List<Map<String, Integer>> ids = new ArrayList<>();
  private final int[][] nodeValue;
  private final int[][] counts;
  private final double[][] desired;
  private final long[] radix;

  /**
   * @param specs the group's spread blocks
   * @param desiredCount the group's replica count
   * @param snap the snapshot
   * @param candidates the nodes that may receive the group
   * @param existing nodes of the group's kept allocations, one entry per allocation
   */
  public SpreadScorer(List<SpreadSpec> specs, int desiredCount, ClusterSnapshot snap, int[] candidates,
      List<Node> existing) {
    this.blocks = specs.size();
    this.desiredCount = desiredCount;
    this.weights = new double[blocks];
    this.nodeValue = new int[blocks][];
    this.counts = new int[blocks][];
    this.desired = new double[blocks][];
    this.radix = new long[blocks];
    double totalWeight = 0;
    long r = 1;
    for (int i = 0; i < blocks; i++) {
      SpreadSpec s = specs.get(i);
      weights[i] = s.getWeight() <= 0 ? 50 : s.getWeight();
      totalWeight += weights[i];
      Map<String, Integer> idOf = new HashMap<>();
      ids.add(idOf);
      int[] values = new int[snap.nodeCount()];
      Arrays.fill(values, -1);
      NodeAttributes.Ref ref = NodeAttributes.Ref.parse(s.getAttribute());
      if (ClusterSnapshot.indexable(s.getAttribute())) {
        for (Map.Entry<String, int[]> e : snap.postings(s.getAttribute()).entrySet()) {
          int id = intern(idOf, e.getKey());
          for (int n : e.getValue()) {
            values[n] = id;
          }
        }
      } else {
        for (int c : candidates) {
          String v = ref.lookup(snap.node(c));
          values[c] = v == null ? -1 : intern(idOf, v);
        }
      }
      nodeValue[i] = values;
      boolean[] present = new boolean[idOf.size() + existing.size()];
      for (int c : candidates) {
        if (values[c] >= 0) {
          present[values[c]] = true;
        }
      }
      int[] existingIds = new int[existing.size()];
      for (int k = 0; k < existing.size(); k++) {
        String v = ref.lookup(existing.get(k));
        existingIds[k] = v == null ? -1 : intern(idOf, v);
        if (existingIds[k] >= 0) {
          present[existingIds[k]] = true;
        }
      }
      int size = idOf.size();
      counts[i] = new int[size];
      for (int id : existingIds) {
        if (id >= 0) {
          counts[i][id]++;
        }
      }
      desired[i] = desiredPerValue(s, idOf, present, desiredCount);
      radix[i] = r;
      r *= size + 1;
    }
    for (int i = 0; i < blocks; i++) {
      weights[i] /= totalWeight;
    }
  }

  private static int intern(Map<String, Integer> idOf, String v) {
    Integer id = idOf.get(v);
    if (id == null) {
      id = idOf.size();
      idOf.put(v, id);
    }
    return id;
  }

  private static double[] desiredPerValue(SpreadSpec s, Map<String, Integer> idOf, boolean[] present, int count) {
    double[] out = new double[idOf.size()];
    int distinct = 0;
    for (int id = 0; id < out.length; id++) {
      distinct += present[id] ? 1 : 0;
    }
    Map<String, Double> pct = new HashMap<>();
    double listed = 0;
    for (SpreadTarget t : s.getTargetsList()) {
      pct.put(t.getValue(), (double) t.getPercent());
      listed += t.getPercent();
    }
    int unlisted = 0;
    for (Map.Entry<String, Integer> e : idOf.entrySet()) {
      if (present[e.getValue()] && !pct.containsKey(e.getKey())) {
        unlisted++;
      }
    }
    double remainder = unlisted == 0 ? 0 : Math.max(0, 100 - listed) / unlisted;
    for (Map.Entry<String, Integer> e : idOf.entrySet()) {
      double p = s.getTargetsCount() == 0 ? 100.0 / Math.max(1, distinct) : pct.getOrDefault(e.getKey(), remainder);
      out[e.getValue()] = p / 100.0 * count;
    }
    return out;
  }

  public boolean isEmpty() {
    return blocks == 0;
  }

  /** A code equal for exactly the nodes sharing all their spread values (0 with no blocks). */
  public long bucket(int node) {
    long code = 0;
    for (int i = 0; i < blocks; i++) {
      code += (nodeValue[i][node] + 1) * radix[i];
    }
    return code;
  }

  /** The spread score of any node of {@code node}'s bucket. */
  public double score(int node) {
    double total = 0;
    for (int i = 0; i < blocks; i++) {
      int id = nodeValue[i][node];
      double s;
      if (id < 0 || desired[i][id] <= 0) {
        s = -desiredCount;
      } else {
        s = desired[i][id] - counts[i][id];
      }
      total += weights[i] * s;
    }
    return total;
  }

  /** Counts one more allocation of the group on {@code node}. */
  public void placed(int node) {
    for (int i = 0; i < blocks; i++) {
      int id = nodeValue[i][node];
      if (id >= 0) {
        counts[i][id]++;
      }
    }
  }

  /** How many of the group's allocations sit on nodes with {@code value} in block {@code i}. */
  public int count(int i, String value) {
    Integer id = ids.get(i).get(value);
    return id == null ? 0 : counts[i][id];
  }
}
