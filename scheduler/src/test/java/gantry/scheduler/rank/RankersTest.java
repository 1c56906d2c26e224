package gantry.scheduler.rank;

import static gantry.scheduler.Fixtures.group;
import static gantry.scheduler.Fixtures.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.scheduler.ClusterSnapshot;
import gantry.scheduler.GroupAsk;
import gantry.scheduler.Seed;
import gantry.scheduler.UsageLedger;
import gantry.scheduler.feasible.PlacementContext;
import gantry.v1.Affinity;
import gantry.v1.GroupSpec;
import gantry.v1.JobSpec;
import gantry.v1.Node;
import gantry.v1.SpreadSpec;
import gantry.v1.SpreadTarget;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RankersTest {
  /** Node "full" has 600/1000 cpu used already, node "empty" nothing. */
  private static PlacementContext twoNodes(GroupSpec g) {
    List<Node> nodes = List.of(node("empty", 1000, 1000, Map.of("rack", "r1")),
        node("full", 1000, 1000, Map.of("rack", "r2")));
    ClusterSnapshot snap = ClusterSnapshot.of(1, nodes, List.of(), List.of());
    UsageLedger ledger = new UsageLedger(snap);
    ledger.add(1, gantry.v1.Allocation.newBuilder()
        .setResources(gantry.v1.Resources.newBuilder().setCpu(600).setMemory(100)).build());
    return new PlacementContext(snap, ledger, JobSpec.getDefaultInstance(), g, GroupAsk.of(g), new int[2],
        g.getCount(), Seed.of("e"));
  }

  @Test
  void binpackPrefersTheNodeThatEndsFullest() {
    PlacementContext c = twoNodes(group("g", 1, 200, 100).build());
    BinpackRanker r = new BinpackRanker();
    assertEquals(0.8, r.score(1, c), 1e-9, "cpu is the scarcest: (600+200)/1000");
    assertEquals(0.2, r.score(0, c), 1e-9);
  }

  @Test
  void leastLoadedPrefersTheEmptiestNode() {
    PlacementContext c = twoNodes(group("g", 1, 200, 100).build());
    LeastLoadedRanker r = new LeastLoadedRanker();
    assertTrue(r.score(0, c) > r.score(1, c));
    assertEquals(Ranker.of("spread"), new LeastLoadedRanker());
    assertEquals(Ranker.of(""), new BinpackRanker());
  }

  @Test
  void antiAffinityPenalizesCollisions() {
    PlacementContext c = twoNodes(group("g", 4, 1, 1).build());
    c.groupCount()[1] = 2;
    assertEquals(0, new AntiAffinityScorer().score(0, c));
    assertEquals(-0.5, new AntiAffinityScorer().score(1, c), 1e-9);
  }

  @Test
  void affinityWeightsNormalized() {
    PlacementContext c = twoNodes(group("g", 1, 1, 1).build());
    AffinityScorer a = new AffinityScorer(List.of(
        Affinity.newBuilder().setAttribute("label.rack").setOperator("=").setValue("r2").setWeight(75).build(),
        Affinity.newBuilder().setAttribute("node.name").setOperator("=").setValue("empty").setWeight(-25).build()));
    assertEquals(0.75, a.score(1, c), 1e-9);
    assertEquals(-0.25, a.score(0, c), 1e-9);
  }

  @Test
  void spreadEvenAndWithTargets() {
    List<Node> nodes = List.of(node("a", 1, 1, Map.of("rack", "r1")), node("b", 1, 1, Map.of("rack", "r2")),
        node("c", 1, 1, Map.of()));
    ClusterSnapshot snap = ClusterSnapshot.of(1, nodes, List.of(), List.of());
    int[] all = {0, 1, 2};
    SpreadSpec even = SpreadSpec.newBuilder().setAttribute("label.rack").build();
    SpreadScorer s = new SpreadScorer(List.of(even), 4, snap, all, List.of(nodes.get(0), nodes.get(0)));
    assertEquals(0.0, s.score(0), 1e-9, "desired 2, has 2");
    assertEquals(2.0, s.score(1), 1e-9, "deficit of two allocations");
    assertEquals(-4.0, s.score(2), 1e-9, "a node without the attribute");
    assertEquals(s.bucket(0) == s.bucket(1), false);
    SpreadSpec targets = SpreadSpec.newBuilder().setAttribute("label.rack")
        .addTargets(SpreadTarget.newBuilder().setValue("r1").setPercent(75)).build();
    SpreadScorer t = new SpreadScorer(List.of(targets), 4, snap, all, List.of(nodes.get(0), nodes.get(0)));
    assertEquals(3.0 - 2, t.score(0), 1e-9);
    assertEquals(1.0, t.score(1), 1e-9, "r2 gets the 25% left over");
    t.placed(1);
    assertEquals(0.0, t.score(1), 1e-9);
    assertEquals(1, t.count(0, "r2"));
  }

  @Test
  void candidateQueueOrdersByScoreAndDropsNodes() {
    PlacementContext c = twoNodes(group("g", 1, 200, 100).build());
    CandidateQueue q = new CandidateQueue(c, new int[] {0, 1}, new BinpackRanker(), new AffinityScorer(List.of()),
        new SpreadScorer(List.of(), 1, c.snapshot(), new int[] {0, 1}, List.of()), 100);
    assertEquals(1, q.best());
    q.drop(1);
    assertEquals(0, q.best());
    q.drop(0);
    assertEquals(-1, q.best());
    q.refresh(1);
    assertEquals(1, q.best());
  }

  @Test
  void scanModeAndHeapModePickTheSameNodes() {
    java.util.Random r = new java.util.Random(3);
    for (int trial = 0; trial < 20; trial++) {
      List<Node> nodes = new java.util.ArrayList<>();
      for (int i = 0; i < 40; i++) {
        nodes.add(node("n" + i, 1000, 1000, Map.of("rack", "r" + r.nextInt(4))));
      }
      GroupSpec g = group("g", 10, 100 * (1 + r.nextInt(3)), 100).setPlacement(r.nextBoolean() ? "spread" : "binpack")
          .addSpread(SpreadSpec.newBuilder().setAttribute("label.rack")).build();
      ClusterSnapshot snap = ClusterSnapshot.of(1, nodes, List.of(), List.of());
      int[] all = java.util.stream.IntStream.range(0, nodes.size()).toArray();
      List<Integer> picks = new java.util.ArrayList<>();
      for (int expected : new int[] {1, 100}) {
        UsageLedger ledger = new UsageLedger(snap);
        PlacementContext c = new PlacementContext(snap, ledger, JobSpec.getDefaultInstance(), g, GroupAsk.of(g),
            new int[nodes.size()], 10, Seed.of("t" + trial));
        CandidateQueue q = new CandidateQueue(c, all, Ranker.of(g.getPlacement()), new AffinityScorer(List.of()),
            new SpreadScorer(g.getSpreadList(), 10, snap, all, List.of()), expected);
        for (int k = 0; k < 10; k++) {
          int n = q.best();
          if (k % 4 == 3) {
            q.drop(n);
            n = q.best();
          }
          ledger.add(n, gantry.v1.Allocation.newBuilder()
              .setResources(gantry.v1.Resources.newBuilder().setCpu(g.getTasks(0).getResources().getCpu())).build());
          c.groupCount()[n]++;
          q.placed(n);
          q.refresh(n);
          picks.add(n);
        }
      }
      assertEquals(picks.subList(0, 10), picks.subList(10, 20), "trial " + trial);
    }
  }
}
