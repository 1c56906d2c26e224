package gantry.scheduler;

import static gantry.scheduler.Fixtures.alloc;
import static gantry.scheduler.Fixtures.constraint;
import static gantry.scheduler.Fixtures.converge;
import static gantry.scheduler.Fixtures.eval;
import static gantry.scheduler.Fixtures.group;
import static gantry.scheduler.Fixtures.job;
import static gantry.scheduler.Fixtures.live;
import static gantry.scheduler.Fixtures.node;
import static gantry.scheduler.Fixtures.snapshot;
import static gantry.scheduler.Fixtures.uniformNodes;
import static gantry.scheduler.Fixtures.withHealth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.Allocation;
import gantry.v1.GroupSpec;
import gantry.v1.ClientStatus;
import gantry.v1.DesiredStatus;
import gantry.v1.Job;
import gantry.v1.JobSpec;
import gantry.v1.Node;
import gantry.v1.NodeStatus;
import gantry.v1.PlacementFailure;
import gantry.v1.SpreadSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The real scheduler on real in-memory snapshots, plans committed with ClusterSnapshot.apply. */
class SchedulerHarnessTest {
  private final Scheduler scheduler = new Scheduler();

  private static Map<String, Long> perNode(List<Allocation> allocs) {
    return allocs.stream().collect(Collectors.groupingBy(Allocation::getNodeName, TreeMap::new, Collectors.counting()));
  }

  @Test
  void placementsHonorEveryConstraint() {
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      nodes.add(node("n" + i, 4000, 4000).putLabels("disk", i % 2 == 0 ? "ssd" : "hdd")
          .putLabels("caps", i % 3 == 0 ? "gpu,avx" : "avx").putAttributes("kernel", i % 4 == 0 ? "6.1" : "5.15")
          .putLabels("rack", "r" + (i % 5)).build());
    }
    JobSpec.Builder spec = JobSpec.newBuilder().setName("web").setType("service")
        .addConstraints(constraint("label.disk", "=", "ssd"))
        .addGroups(group("g", 5, 100, 100)
            .addConstraints(constraint("attr.kernel", "version", ">= 5.10, < 6"))
            .addConstraints(constraint("label.caps", "set_contains", "avx,gpu"))
            .addConstraints(constraint("node.name", "regexp", "^n\\d+$"))
            .addConstraints(constraint("label.rack", "!=", "r0"))
            .addConstraints(constraint("", "distinct_hosts", "")));
    Job job = Fixtures.job(spec, 1);
    Plan plan = scheduler.schedule(snapshot(nodes, List.of(job), List.of()), eval("e1", "web"));
    // ssd: even i; caps gpu: i%3==0; kernel 5.15: i%4!=0; rack != r0: i%5 != 0
    Set<String> allowed = new HashSet<>();
    for (int i = 0; i < 40; i++) {
      if (i % 2 == 0 && i % 3 == 0 && i % 4 != 0 && i % 5 != 0) {
        allowed.add("n" + i);
      }
    }
    assertEquals(Set.of("n6", "n18"), allowed);
    int expected = Math.min(5, allowed.size());
    assertEquals(expected, plan.placements().size());
    for (Allocation a : plan.placements()) {
      assertTrue(allowed.contains(a.getNodeName()), a.getNodeName() + " violates a constraint");
    }
    assertEquals(plan.placements().size(), perNode(plan.placements()).size(), "distinct_hosts");
    assertEquals(5 - expected, plan.failures().get("g").getUnplaced());
  }

  @Test
  void binpackFillsNodesBeforeOpeningNewOnes() {
    List<Node> nodes = uniformNodes(10, 1000, 1000);
    Job job = job("web", "service", 1, group("g", 8, 250, 100));
    Plan plan = scheduler.schedule(snapshot(nodes, List.of(job), List.of()), eval("e1", "web"));
    assertEquals(8, plan.placements().size());
    Map<String, Long> used = perNode(plan.placements());
    assertEquals(2, used.size(), "8 x 250m fill exactly two 1000m nodes: " + used);
    assertTrue(used.values().stream().allMatch(c -> c == 4));
  }

  @Test
  void binpackAcrossEvaluationsKeepsFillingTheSameNode() {
    List<Node> nodes = uniformNodes(5, 1000, 1000);
    Job a = job("a", "service", 1, group("g", 1, 300, 100));
    Job b = job("b", "service", 1, group("g", 1, 300, 100));
    ClusterSnapshot snap = snapshot(nodes, List.of(a, b), List.of());
    snap = converge(snap, "a", 3);
    snap = converge(snap, "b", 3);
    assertEquals(live(snap, "a").get(0).getNodeId(), live(snap, "b").get(0).getNodeId());
  }

  @Test
  void spreadPlacementEvensOut() {
    // The same group binpack would put on two full nodes (see binpackFillsNodesBeforeOpeningNewOnes).
    List<Node> nodes = uniformNodes(4, 1000, 1000);
    Job job = job("web", "service", 1, group("g", 8, 250, 100).setPlacement("spread"));
    Plan plan = scheduler.schedule(snapshot(nodes, List.of(job), List.of()), eval("e1", "web"));
    assertEquals(List.of(2L, 2L, 2L, 2L), new ArrayList<>(perNode(plan.placements()).values()));
  }

  @Test
  void spreadBlockEvensOutRacksEvenWithBinpack() {
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      nodes.add(node("n" + i, 10000, 10000).putLabels("rack", i < 6 ? "big" : "r" + (i % 2)).build());
    }
    Job job = job("web", "service", 1,
        group("g", 9, 100, 100).addSpread(SpreadSpec.newBuilder().setAttribute("label.rack")));
    Plan plan = scheduler.schedule(snapshot(nodes, List.of(job), List.of()), eval("e1", "web"));
    Map<String, Integer> byRack = new HashMap<>();
    for (Allocation a : plan.placements()) {
      byRack.merge(nodes.get(Integer.parseInt(a.getNodeName().substring(1))).getLabelsMap().get("rack"), 1, Integer::sum);
    }
    assertEquals(Map.of("big", 3, "r0", 3, "r1", 3), byRack);
  }

  @Test
  void systemJobRunsOncePerEligibleNodeAndOnNewNodes() {
    List<Node> nodes = new ArrayList<>(uniformNodes(5, 1000, 1000));
    nodes.add(node("down", 1000, 1000).setStatus(NodeStatus.NODE_STATUS_DOWN).build());
    nodes.add(node("ineligible", 1000, 1000).setEligible(false).build());
    Job job = job("agentd", "system", 1, group("g", 1, 100, 100));
    ClusterSnapshot snap = converge(snapshot(nodes, List.of(job), List.of()), "agentd", 3);
    Map<String, Long> used = perNode(live(snap, "agentd"));
    assertEquals(5, used.size());
    assertTrue(used.values().stream().allMatch(c -> c == 1));
    assertFalse(used.containsKey("down"));
    assertFalse(used.containsKey("ineligible"));
    assertTrue(scheduler.schedule(snap, eval("again", "agentd")).isEmpty(), "a converged system job is stable");
    snap = snap.withNode(node("late", 1000, 1000).build(), snap.index() + 1);
    Plan p = scheduler.schedule(snap, eval("node-added", "agentd"));
    assertEquals(1, p.placements().size());
    assertEquals("late", p.placements().get(0).getNodeName());
    assertTrue(p.updates().isEmpty());
  }

  @Test
  void drainMigratesEverythingOffTheNode() {
    List<Node> nodes = uniformNodes(3, 1000, 1000);
    Job job = job("web", "service", 1, group("g", 6, 200, 100));
    ClusterSnapshot snap = converge(snapshot(nodes, List.of(job), List.of()), "web", 3);
    String busiest = perNode(live(snap, "web")).entrySet().stream().max(Map.Entry.comparingByValue()).get().getKey();
    Node drained = snap.node(snap.nodeIndex("id-" + busiest)).toBuilder().setDraining(true).setEligible(false).build();
    snap = snap.withNode(drained, snap.index() + 1);
    Plan p = scheduler.schedule(snap, eval("drain", "web"));
    long onDrained = live(snap, "web").stream().filter(a -> a.getNodeName().equals(busiest)).count();
    assertEquals(onDrained, p.placements().size());
    assertEquals(onDrained, p.updates().size());
    for (Allocation a : p.placements()) {
      assertFalse(a.getNodeName().equals(busiest));
      assertFalse(a.getPreviousAllocation().isEmpty());
    }
    snap = snap.apply(p, snap.index() + 1);
    assertEquals(6, live(snap, "web").size());
    assertTrue(live(snap, "web").stream().noneMatch(a -> a.getNodeName().equals(busiest)));
    assertEquals(Set.of(0, 1, 2, 3, 4, 5), live(snap, "web").stream().map(Allocation::getIndex).collect(Collectors.toSet()));
  }

  @Test
  void drainWithNowhereToGoKeepsTheOldAllocation() {
    Node a = node("a", 1000, 1000).build();
    Job job = job("web", "service", 1, group("g", 1, 800, 100));
    Allocation running = alloc("x", job, "g", 0, a, 800, 100).build();
    Node b = node("b", 1000, 1000).build();
    Allocation other = alloc("y", job("other", "service", 1, group("g", 1, 900, 100)), "g", 0, b, 900, 100).build();
    ClusterSnapshot snap = snapshot(List.of(a.toBuilder().setDraining(true).build(), b), List.of(job), List.of(running, other));
    Plan p = scheduler.schedule(snap, eval("drain", "web"));
    assertTrue(p.placements().isEmpty());
    assertTrue(p.updates().isEmpty(), "the old allocation is not stopped without a replacement");
    assertEquals("2 nodes evaluated: 1 exhausted cpu, 1 node draining", p.failures().get("g").getMessage());
  }

  @Test
  void downNodeAllocationsAreReplaced() {
    List<Node> nodes = uniformNodes(4, 1000, 1000);
    Job job = job("web", "service", 1, group("g", 4, 100, 100).setPlacement("spread"));
    ClusterSnapshot snap = converge(snapshot(nodes, List.of(job), List.of()), "web", 3);
    Node dead = snap.node(0).toBuilder().setStatus(NodeStatus.NODE_STATUS_DOWN).build();
    snap = snap.withNode(dead, snap.index() + 1);
    Plan p = scheduler.schedule(snap, eval("node-down", "web"));
    assertEquals(1, p.placements().size());
    assertFalse(p.placements().get(0).getNodeId().equals(dead.getId()));
    assertEquals(1, p.updates().size());
    assertEquals(ClientStatus.CLIENT_STATUS_LOST, p.updates().get(0).clientStatus());
    assertEquals(p.updates().get(0).allocId(), p.placements().get(0).getPreviousAllocation());
    snap = snap.apply(p, snap.index() + 1);
    assertEquals(4, live(snap, "web").size());
  }

  @Test
  void nothingIsPlacedTwiceAndAConvergedJobIsStable() {
    List<Node> nodes = uniformNodes(6, 2000, 2000);
    Job job = job("web", "service", 1, group("g", 7, 300, 300), group("h", 3, 100, 100));
    ClusterSnapshot snap = snapshot(nodes, List.of(job), List.of());
    Plan first = scheduler.schedule(snap, eval("e1", "web"));
    snap = snap.apply(first, 2);
    assertTrue(scheduler.schedule(snap, eval("e2", "web")).isEmpty());
    Set<String> slots = new HashSet<>();
    for (Allocation a : live(snap, "web")) {
      assertTrue(slots.add(a.getGroup() + "/" + a.getIndex()), "slot placed twice: " + a.getGroup() + "/" + a.getIndex());
    }
    assertEquals(10, slots.size());
    assertEquals(10, first.placements().stream().map(Allocation::getId).distinct().count());
  }

  @Test
  void scaleDownStopsTheHighestIndexes() {
    List<Node> nodes = uniformNodes(3, 4000, 4000);
    Job job = job("web", "service", 1, group("g", 6, 100, 100));
    ClusterSnapshot snap = converge(snapshot(nodes, List.of(job), List.of()), "web", 3);
    snap = snap.withJob(job("web", "service", 1, group("g", 2, 100, 100)), snap.index() + 1);
    Plan p = scheduler.schedule(snap, eval("scale", "web"));
    ClusterSnapshot before = snap;
    Set<Integer> stopped = p.updates().stream().map(u -> before.alloc(u.allocId()).getIndex()).collect(Collectors.toSet());
    assertEquals(Set.of(2, 3, 4, 5), stopped);
    assertTrue(p.placements().isEmpty());
    assertTrue(p.updates().stream().allMatch(u -> u.desiredStatus() == DesiredStatus.DESIRED_STATUS_STOP));
  }

  @Test
  void unplaceableGroupGetsTheExplanation() {
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      nodes.add(node("ssd" + i, 1000, 256).putLabels("disk", "ssd").build());
    }
    nodes.add(node("hdd0", 1000, 8192).putLabels("disk", "hdd").build());
    nodes.add(node("none", 1000, 8192).build());
    Job job = job("db", "service", 1, group("g", 2, 100, 512).addConstraints(constraint("label.disk", "=", "ssd")));
    Plan p = scheduler.schedule(snapshot(nodes, List.of(job), List.of()), eval("e1", "db"));
    PlacementFailure f = p.failures().get("g");
    assertEquals(2, f.getUnplaced());
    assertEquals(5, f.getNodesEvaluated());
    assertEquals(Map.of("exhausted memory", 3, "failed constraint label.disk = ssd", 2), f.getFilteredMap());
    assertEquals("5 nodes evaluated: 3 exhausted memory, 2 failed constraint label.disk = ssd", f.getMessage());
    assertTrue(p.needsFollowUp());
  }

  @Test
  void batchCompleteIsNotReplacedButFailedIs() {
    Node n = node("a", 4000, 4000).build();
    Job job = job("etl", "batch", 1, group("g", 2, 100, 100));
    Allocation done = alloc("done", job, "g", 0, n, 100, 100).setClientStatus(ClientStatus.CLIENT_STATUS_COMPLETE).build();
    Allocation failed = alloc("failed", job, "g", 1, n, 100, 100).setClientStatus(ClientStatus.CLIENT_STATUS_FAILED).build();
    Plan p = scheduler.schedule(snapshot(List.of(n), List.of(job), List.of(done, failed)), eval("e", "etl"));
    assertEquals(1, p.placements().size());
    assertEquals(1, p.placements().get(0).getIndex());
    assertEquals("failed", p.placements().get(0).getPreviousAllocation());
  }

  @Test
  void aRollingUpdateStartsMaxParallelAtATimeAndWaitsForTheirHealth() {
    List<Node> nodes = uniformNodes(2, 4000, 4000);
    Job v1 = job("web", "service", 1, group("g", 4, 100, 100));
    ClusterSnapshot snap = converge(snapshot(nodes, List.of(v1), List.of()), "web", 3);
    Job v2 = job("web", "service", 2, group("g", 4, 200, 100)
        .setUpdate(gantry.v1.UpdatePolicy.newBuilder().setMaxParallel(2).setOrder("stop_first")));
    snap = snap.withJob(v2, snap.index() + 1);
    Plan p = scheduler.schedule(snap, eval("upd1", "web"));
    assertEquals(2, p.placements().size());
    assertEquals(2, p.updates().size());
    assertEquals(2, p.deferredUpdates());
    assertTrue(p.placements().stream().allMatch(a -> a.getJobVersion() == 2 && a.getResources().getCpu() == 200));
    snap = snap.apply(p, snap.index() + 1);

    Plan waiting = scheduler.schedule(snap, eval("upd2", "web"));
    assertTrue(waiting.isEmpty(), "nothing more is replaced while the two new allocations are not yet healthy");
    assertEquals(2, waiting.deferredUpdates());

    snap = withHealth(snap, "web", 2, "healthy", 1);
    Plan next = scheduler.schedule(snap, eval("upd3", "web"));
    assertEquals(1, next.placements().size(), "one of two proved healthy: room for one more");

    snap = withHealth(snap.apply(next, snap.index() + 1), "web", 2, "healthy", 3);
    snap = converge(snap, "web", 5);
    assertEquals(4, live(snap, "web").size());
    assertTrue(live(snap, "web").stream().allMatch(a -> a.getJobVersion() == 2));
  }

  @Test
  void anUnhealthyAllocationOfTheNewVersionStopsTheRollingUpdate() {
    List<Node> nodes = uniformNodes(2, 4000, 4000);
    ClusterSnapshot snap = converge(snapshot(nodes, List.of(job("web", "service", 1, group("g", 4, 100, 100))), List.of()), "web", 3);
    Job v2 = job("web", "service", 2, group("g", 4, 200, 100)
        .setUpdate(gantry.v1.UpdatePolicy.newBuilder().setMaxParallel(1)));
    snap = snap.withJob(v2, snap.index() + 1);
    snap = snap.apply(scheduler.schedule(snap, eval("upd1", "web")), snap.index() + 1);
    snap = withHealth(snap, "web", 2, "unhealthy", 1);

    Plan p = scheduler.schedule(snap, eval("upd2", "web"));
    assertTrue(p.isEmpty(), "no more old allocations are replaced");
    assertEquals(4, live(snap, "web").stream().filter(a -> a.getJobVersion() == 1).count(),
        "every old one keeps serving (start_first: the one beside the unhealthy replacement too)");
  }

  @Test
  void startFirstKeepsTheOldAllocationUntilItsReplacementIsHealthy() {
    List<Node> nodes = uniformNodes(2, 4000, 4000);
    ClusterSnapshot snap = converge(snapshot(nodes, List.of(job("web", "service", 1, group("g", 2, 100, 100))), List.of()), "web", 3);
    Job v2 = job("web", "service", 2, group("g", 2, 200, 100).setUpdate(gantry.v1.UpdatePolicy.newBuilder().setMaxParallel(1)));
    snap = snap.withJob(v2, snap.index() + 1);
    Plan first = scheduler.schedule(snap, eval("upd1", "web"));
    assertEquals(1, first.placements().size());
    assertTrue(first.updates().isEmpty(), "the old allocation keeps running beside its replacement");
    String replaced = first.placements().getFirst().getPreviousAllocation();
    snap = snap.apply(first, snap.index() + 1);
    assertEquals(3, live(snap, "web").size());
    assertTrue(scheduler.schedule(snap, eval("upd2", "web")).isEmpty(), "nothing moves while the new one is not yet healthy");

    snap = withHealth(snap, "web", 2, "healthy", 1);
    Plan next = scheduler.schedule(snap, eval("upd3", "web"));
    assertEquals(1, next.updates().size());
    assertEquals(replaced, next.updates().getFirst().allocId(), "once healthy, the one it replaces stops");
    assertEquals("replaced by " + first.placements().getFirst().getId(), next.updates().getFirst().description());
    assertEquals(1, next.placements().size(), "and the next replacement starts");
  }

  @Test
  void startFirstWithoutRoomForBothStopsTheOldOneAsItPlacesTheNew() {
    List<Node> nodes = uniformNodes(1, 250, 4000);
    ClusterSnapshot snap = converge(snapshot(nodes, List.of(job("web", "service", 1, group("g", 2, 100, 100))), List.of()), "web", 3);
    Job v2 = job("web", "service", 2, group("g", 2, 110, 100).setUpdate(gantry.v1.UpdatePolicy.newBuilder().setMaxParallel(1)));
    Plan p = scheduler.schedule(snap.withJob(v2, snap.index() + 1), eval("upd", "web"));
    assertEquals(1, p.placements().size());
    assertEquals(1, p.updates().size(), "250 millicores hold two allocations, not three: stop_first for this one");
    assertTrue(p.updates().getFirst().description().endsWith("(stop_first: no room for its replacement beside it)"),
        p.updates().getFirst().description());
  }

  @Test
  void anEmptySlotFilledAtTheNewVersionTakesFromTheRollingUpdatesRoom() {
    List<Node> nodes = uniformNodes(2, 4000, 4000);
    ClusterSnapshot snap = converge(snapshot(nodes, List.of(job("web", "service", 1, group("g", 3, 100, 100))), List.of()), "web", 3);
    Allocation gone = live(snap, "web").getFirst();
    List<Allocation> rest = new java.util.ArrayList<>(snap.allocs());
    rest.replaceAll(a -> a.getId().equals(gone.getId()) ? a.toBuilder().setClientStatus(ClientStatus.CLIENT_STATUS_FAILED).build() : a);
    Job v2 = job("web", "service", 2, group("g", 3, 200, 100).setUpdate(gantry.v1.UpdatePolicy.newBuilder().setMaxParallel(1)));
    snap = ClusterSnapshot.of(snap.index() + 1, nodes, List.of(v2), rest);

    Plan p = scheduler.schedule(snap, eval("upd", "web"));
    assertEquals(1, p.placements().size(), "the failed slot is filled; no running replica is replaced meanwhile");
    assertEquals(gone.getIndex(), p.placements().getFirst().getIndex());
    assertTrue(p.updates().isEmpty());
    assertEquals(2, p.deferredUpdates());
  }

  @Test
  void aCountOnlyChangeUpdatesTheRunningAllocationsInPlace() {
    List<Node> nodes = uniformNodes(2, 4000, 4000);
    GroupSpec.Builder v1Group = group("g", 2, 100, 100);
    ClusterSnapshot snap = converge(snapshot(nodes, List.of(job("web", "service", 1, v1Group)), List.of()), "web", 3);
    List<Allocation> placed = new java.util.ArrayList<>(snap.allocs());
    // as replay stores them once their agent reports them running
    placed.replaceAll(a -> a.toBuilder().setGroupSpec(v1Group).setClientStatus(ClientStatus.CLIENT_STATUS_RUNNING).build());
    GroupSpec v2Group = group("g", 3, 100, 100).setUpdate(gantry.v1.UpdatePolicy.newBuilder().setMaxParallel(1)).build();
    snap = ClusterSnapshot.of(snap.index() + 1, nodes, List.of(job("web", "service", 2, v2Group.toBuilder())), placed);

    Plan p = scheduler.schedule(snap, eval("scale", "web"));
    assertEquals(2, p.inPlace().size(), "both running replicas move to version 2 where they run");
    assertTrue(p.inPlace().stream().allMatch(a -> a.getJobVersion() == 2 && a.getGroupSpec().equals(v2Group)));
    assertTrue(p.updates().isEmpty(), "nothing is stopped");
    assertEquals(1, p.placements().size(), "the third replica is new");

    GroupSpec v3Group = v2Group.toBuilder().setTasks(0, v2Group.getTasks(0).toBuilder().setImage("other:2")).build();
    ClusterSnapshot changed = snap.apply(p, snap.index() + 1).withJob(job("web", "service", 3, v3Group.toBuilder()), snap.index() + 2);
    Plan destructive = scheduler.schedule(changed, eval("image", "web"));
    assertTrue(destructive.inPlace().isEmpty(), "a changed image is never in place");
  }

  @Test
  void withoutAnUpdatePolicyEveryAllocationIsReplacedAtOnce() {
    List<Node> nodes = uniformNodes(2, 4000, 4000);
    ClusterSnapshot snap = converge(snapshot(nodes, List.of(job("web", "service", 1, group("g", 4, 100, 100))), List.of()), "web", 3);
    snap = snap.withJob(job("web", "service", 2, group("g", 4, 200, 100)), snap.index() + 1);
    Plan p = scheduler.schedule(snap, eval("upd", "web"));
    assertEquals(4, p.placements().size());
    assertEquals(0, p.deferredUpdates());
  }

  @Test
  void stoppedJobStopsEverything() {
    List<Node> nodes = uniformNodes(2, 4000, 4000);
    Job job = job("web", "service", 1, group("g", 3, 100, 100));
    ClusterSnapshot snap = converge(snapshot(nodes, List.of(job), List.of()), "web", 3);
    snap = snap.withJob(job.toBuilder().setStatus(gantry.v1.JobStatus.JOB_STATUS_STOPPED).build(), snap.index() + 1);
    Plan p = scheduler.schedule(snap, eval("stop", "web"));
    assertEquals(3, p.updates().size());
    assertTrue(live(snap.apply(p, snap.index() + 1), "web").isEmpty());
  }

  @Test
  void staticPortsNeverCollide() {
    List<Node> nodes = uniformNodes(3, 4000, 4000);
    Job job = job("web", "service", 1, Fixtures.groupWithPort("g", 4, 100, 100, 8080));
    Plan p = scheduler.schedule(snapshot(nodes, List.of(job), List.of()), eval("e", "web"));
    assertEquals(3, p.placements().size(), "one static port 8080 per node");
    assertEquals("3 nodes evaluated: 3 port 8080 in use", p.failures().get("g").getMessage());
  }

  @Test
  void samePlanForTheSameInputs() {
    List<Node> nodes = uniformNodes(50, 1000, 1000);
    Job job = job("web", "service", 1, Fixtures.groupWithPort("g", 30, 100, 100, 0).setPlacement("spread"));
    ClusterSnapshot snap = snapshot(nodes, List.of(job), List.of());
    assertEquals(scheduler.schedule(snap, eval("e", "web")), scheduler.schedule(snap, eval("e", "web")));
    assertFalse(scheduler.schedule(snap, eval("e", "web")).placements()
        .equals(scheduler.schedule(snap, eval("other", "web")).placements()));
  }
}
