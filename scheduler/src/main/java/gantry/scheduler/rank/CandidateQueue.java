package gantry.scheduler.rank;

import gantry.scheduler.feasible.PlacementContext;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The statically feasible nodes of one group, ordered by score, so each placement costs a
 * few heap operations instead of a scan of the cluster.
 *
 * <p>A node's score is {@code ranker + anti-affinity + affinity + spread}. The first three
 * change only when the node itself gets an allocation; spread depends only on the node's
 * values of the spread attributes. So nodes are bucketed by those values, each bucket is a
 * heap ordered by the node-local score, and the best node is the best bucket head after
 * adding the bucket's spread score. Ties go to a seeded per-node hash, then the node index,
 * so equal nodes are picked in a random but reproducible order.
 */
public final class CandidateQueue {
  /** Ordered best first: higher score, then the lower tie hash, then the lower node index. */
  private record Entry(long score, long tie, int node) implements Comparable<Entry> {
    @Override
    public int compareTo(Entry o) {
      int c = Long.compare(o.score, score);
      if (c != 0) {
        return c;
      }
      c = Long.compare(tie, o.tie);
      return c != 0 ? c : Integer.compare(node, o.node);
    }
  }

  /**
   * A binary heap with lazy deletion: a re-scored node pushes a new entry and its old one
   * goes stale (no longer {@code entries[node]}), dropped when it reaches the top. The heap
   * is built in linear time from the bucket's initial entries.
   */
  private static final class Bucket {
    /** Any node of the bucket: the spread score is the same for all of them. */
    final int representative;
    final List<Entry> initial = new ArrayList<>();
    PriorityQueue<Entry> heap;

    Bucket(int representative) {
      this.representative = representative;
    }
  }

  private final PlacementContext ctx;
  private final Ranker ranker;
  private final AntiAffinityScorer antiAffinity = new AntiAffinityScorer();
  private final SpreadScorer spread;
  private final Entry[] entries;
  private final Bucket[] bucketOf;
  private final double[] affinity;
  private final List<Bucket> buckets = new ArrayList<>();
  /** Scan mode: the candidates, and which of them a dynamic filter dropped. */
  private final int[] scan;
  private final boolean[] dropped;

  /** Up to this many placements, scanning beats building the heaps. */
  public static final int SCAN_LIMIT = 4;

  /**
   * @param expectedPlacements how many placements will be asked for: up to
   *     {@value #SCAN_LIMIT} the queue skips building heaps and scans the candidates per
   *     placement instead (cheaper for the common one-replica evaluation)
   */
  public CandidateQueue(PlacementContext ctx, int[] candidates, Ranker ranker, AffinityScorer affinities,
      SpreadScorer spread, int expectedPlacements) {
    this.ctx = ctx;
    this.ranker = ranker;
    this.spread = spread;
    int n = ctx.snapshot().nodeCount();
    this.affinity = affinities.isEmpty() ? null : new double[n];
    if (expectedPlacements <= SCAN_LIMIT) {
      this.scan = candidates;
      this.dropped = new boolean[n];
      this.entries = null;
      this.bucketOf = null;
      if (affinity != null) {
        for (int node : candidates) {
          affinity[node] = affinities.score(node, ctx);
        }
      }
      return;
    }
    this.scan = null;
    this.dropped = null;
    this.entries = new Entry[n];
    this.bucketOf = new Bucket[n];
    // Bucket codes are small for the usual one block over a few racks: an array, else a map.
    Bucket[] small = new Bucket[spread.isEmpty() ? 0 : 1024];
    Map<Long, Bucket> byCode = new HashMap<>();
    Bucket only = null;
    for (int node : candidates) {
      Bucket b;
      if (spread.isEmpty()) {
        if (only == null) {
          only = new Bucket(node);
          buckets.add(only);
        }
        b = only;
      } else {
        long code = spread.bucket(node);
        b = code < small.length ? small[(int) code] : byCode.get(code);
        if (b == null) {
          b = new Bucket(node);
          if (code < small.length) {
            small[(int) code] = b;
          } else {
            byCode.put(code, b);
          }
          buckets.add(b);
        }
      }
      bucketOf[node] = b;
      if (affinity != null) {
        affinity[node] = affinities.score(node, ctx);
      }
      b.initial.add(entry(node));
    }
    for (Bucket b : buckets) {
      b.heap = new PriorityQueue<>(b.initial);
      b.initial.clear();
    }
  }

  /**
   * Scores are fixed point (millionths) so that adding a bucket's spread score is exact: a
   * node ahead of another in its bucket stays ahead after the addition, which the
   * bucket-head shortcut relies on (with doubles, rounding could tie them).
   */
  private static final double SCALE = 1_000_000;

  private long local(int node) {
    return Math.round(SCALE * (ranker.score(node, ctx) + antiAffinity.score(node, ctx)
        + (affinity == null ? 0 : affinity[node])));
  }

  private long spreadScore(int node) {
    return spread.isEmpty() ? 0 : Math.round(SCALE * spread.score(node));
  }

  private long tie(int node) {
    return ctx.seed().hash(0x7469654bL, node);
  }

  private int bestByScan() {
    int best = -1;
    long bestTotal = Long.MIN_VALUE;
    long bestTie = 0;
    for (int node : scan) {
      if (dropped[node]) {
        continue;
      }
      long total = local(node) + spreadScore(node);
      if (best < 0 || total > bestTotal) {
        best = node;
        bestTotal = total;
        bestTie = tie(node);
      } else if (total == bestTotal) {
        long t = tie(node);
        if (t < bestTie || (t == bestTie && node < best)) {
          best = node;
          bestTie = t;
        }
      }
    }
    return best;
  }

  private Entry entry(int node) {
    long s = local(node);
    Entry e = new Entry(s, tie(node), node);
    entries[node] = e;
    return e;
  }

  /** The bucket's best live entry, discarding stale ones; null when empty. */
  private Entry head(Bucket b) {
    Entry e = b.heap.peek();
    while (e != null && entries[e.node()] != e) {
      b.heap.poll();
      e = b.heap.peek();
    }
    return e;
  }

  /** The best remaining node, or -1 when none is left. */
  public int best() {
    if (scan != null) {
      return bestByScan();
    }
    Entry best = null;
    long bestTotal = Long.MIN_VALUE;
    for (Bucket b : buckets) {
      Entry head = head(b);
      if (head == null) {
        continue;
      }
      long total = head.score() + spreadScore(b.representative);
      if (best == null || total > bestTotal
          || (total == bestTotal && (head.tie() < best.tie() || (head.tie() == best.tie() && head.node() < best.node())))) {
        best = head;
        bestTotal = total;
      }
    }
    return best == null ? -1 : best.node();
  }

  /** Takes a node out for the rest of this group (a dynamic filter rejected it). */
  public void drop(int node) {
    if (scan != null) {
      dropped[node] = true;
      return;
    }
    entries[node] = null;
  }

  /** Re-scores a candidate after its usage or collisions changed; puts a dropped one back. */
  public void refresh(int node) {
    if (scan != null) {
      dropped[node] = false;
      return;
    }
    if (bucketOf[node] == null) {
      return;
    }
    bucketOf[node].heap.add(entry(node));
  }

  /** Records a placement on {@code node} for the spread counts. */
  public void placed(int node) {
    spread.placed(node);
  }


}
