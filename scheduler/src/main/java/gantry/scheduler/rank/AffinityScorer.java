package gantry.scheduler.rank;

import gantry.scheduler.feasible.ConstraintMatcher;
import gantry.scheduler.feasible.PlacementContext;
import gantry.v1.Affinity;
import gantry.v1.Node;
import java.util.ArrayList;
import java.util.List;

/**
 * Soft preferences: the weights (-100..100) of the job's and group's affinities a node
 * matches, divided by the sum of their absolute weights, so the score is in [-1, 1].
 */
public final class AffinityScorer {
  private record Weighted(ConstraintMatcher matcher, int weight) {}

  private final List<Weighted> affinities = new ArrayList<>();
  private final double totalWeight;

  public AffinityScorer(List<Affinity> all) {
    double total = 0;
    for (Affinity a : all) {
      if (a.getWeight() == 0) {
        continue;
      }
      String op = a.getOperator().isEmpty() ? "=" : a.getOperator();
      affinities.add(new Weighted(ConstraintMatcher.compile(a.getAttribute(), op, a.getValue()),
          a.getWeight()));
      total += Math.abs(a.getWeight());
    }
    this.totalWeight = total;
  }

  public boolean isEmpty() {
    return affinities.isEmpty();
  }

  public double score(int node, PlacementContext ctx) {
    if (affinities.isEmpty()) {
      return 0;
    }
    Node n = ctx.snapshot().node(node);
    double sum = 0;
    for (Weighted w : affinities) {
      if (w.matcher().matches(n)) {
        sum += w.weight();
      }
    }
    return sum / totalWeight;
  }
}
