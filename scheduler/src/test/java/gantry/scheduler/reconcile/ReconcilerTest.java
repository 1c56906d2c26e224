package gantry.scheduler.reconcile;

import static gantry.scheduler.Fixtures.alloc;
import static gantry.scheduler.Fixtures.group;
import static gantry.scheduler.Fixtures.job;
import static gantry.scheduler.Fixtures.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.scheduler.ClusterSnapshot;
import gantry.v1.Allocation;
import gantry.v1.Job;
import gantry.v1.Node;
import gantry.v1.NodeStatus;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class ReconcilerTest {
  private static final Reconciler.SystemTargets NONE = g -> new int[0];

  private static Map<String, List<Decision>> byGroup(List<Reconciler.GroupPlan> plans) {
    return plans.stream().collect(Collectors.toMap(Reconciler.GroupPlan::group, Reconciler.GroupPlan::decisions));
  }

  @Test
  void keepsOnePerSlotStopsDuplicatesAndRemovedGroups() {
    Node n = node("a", 4000, 4000).build();
    Job job = job("web", "service", 1, group("g", 2, 1, 1));
    Allocation a0 = alloc("a0", job, "g", 0, n, 1, 1).build();
    Allocation dup = alloc("b0", job, "g", 0, n, 1, 1).build();
    Allocation old = alloc("c0", job, "gone", 0, n, 1, 1).build();
    ClusterSnapshot snap = ClusterSnapshot.of(1, List.of(n), List.of(job), List.of(a0, dup, old));
    Map<String, List<Decision>> d = byGroup(new Reconciler(snap, 0).reconcile("web", NONE));
    assertTrue(d.get("g").contains(new Decision.Keep("g", a0)), "lowest id kept");
    assertTrue(d.get("g").stream().anyMatch(x -> x instanceof Decision.Stop s && s.alloc().equals(dup)));
    assertTrue(d.get("g").stream().anyMatch(x -> x instanceof Decision.Place p && p.index() == 1 && p.previous() == null));
    assertEquals(List.of(new Decision.Stop("gone", old, "group removed from job", false)), d.get("gone"));
  }

  @Test
  void prefersTheCurrentVersionAsKeeper() {
    Node n = node("a", 4000, 4000).build();
    Job v2 = job("web", "service", 2, group("g", 1, 1, 1));
    Allocation oldVersion = alloc("a", job("web", "service", 1, group("g", 1, 1, 1)), "g", 0, n, 1, 1).build();
    Allocation current = alloc("b", v2, "g", 0, n, 1, 1).build();
    ClusterSnapshot snap = ClusterSnapshot.of(1, List.of(n), List.of(v2), List.of(oldVersion, current));
    List<Decision> d = byGroup(new Reconciler(snap, 0).reconcile("web", NONE)).get("g");
    assertEquals(2, d.size());
    assertTrue(d.contains(new Decision.Keep("g", current)));
  }

  @Test
  void systemGroupStopsAllocationsOnNodesThatAreNoLongerTargets() {
    Node up = node("up", 1000, 1000).build();
    Node drained = node("drained", 1000, 1000).setDraining(true).build();
    Node down = node("down", 1000, 1000).setStatus(NodeStatus.NODE_STATUS_DOWN).build();
    Job job = job("agentd", "system", 1, group("g", 1, 1, 1));
    List<Allocation> allocs = List.of(alloc("1", job, "g", 0, up, 1, 1).build(),
        alloc("2", job, "g", 1, drained, 1, 1).build(), alloc("3", job, "g", 2, down, 1, 1).build());
    ClusterSnapshot snap = ClusterSnapshot.of(1, List.of(up, drained, down), List.of(job), allocs);
    Map<String, Decision> byAlloc = byGroup(new Reconciler(snap, 0).reconcile("agentd", g -> snap.schedulableNodes()))
        .get("g").stream().collect(Collectors.toMap(x -> switch (x) {
          case Decision.Keep k -> k.alloc().getId();
          case Decision.Stop s -> s.alloc().getId();
          case Decision.Place p -> "place";
          case Decision.UpdateInPlace u -> u.alloc().getId();
        }, Function.identity()));
    assertTrue(byAlloc.get("1") instanceof Decision.Keep);
    assertEquals(new Decision.Stop("g", allocs.get(1), "node draining", false), byAlloc.get("2"));
    assertEquals(new Decision.Stop("g", allocs.get(2), "node down", true), byAlloc.get("3"));
    assertEquals(3, byAlloc.size());
  }
}
