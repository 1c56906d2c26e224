package gantry.scheduler;

import static gantry.scheduler.Fixtures.constraint;
import static gantry.scheduler.Fixtures.eval;
import static gantry.scheduler.Fixtures.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import gantry.scheduler.feasible.FilterChain;
import gantry.scheduler.feasible.PlacementContext;
import gantry.v1.Allocation;
import gantry.v1.AllocatedPort;
import gantry.v1.GroupSpec;
import gantry.v1.Job;
import gantry.v1.JobSpec;
import gantry.v1.Node;
import gantry.v1.NodeStatus;
import gantry.v1.PortSpec;
import gantry.v1.SpreadSpec;
import gantry.v1.TaskSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Seeded random clusters and jobs; invariants checked after every committed plan. */
class SchedulerPropertyTest {
  private static final int TRIALS = 200;
  private final Scheduler scheduler = new Scheduler();

  private static List<Node> randomNodes(Random r) {
    int n = 1 + r.nextInt(30);
    List<Node> nodes = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Node.Builder b = node("n" + i, 500 + 500L * r.nextInt(8), 256 + 256L * r.nextInt(8))
          .putLabels("rack", "r" + r.nextInt(3)).putLabels("disk", r.nextBoolean() ? "ssd" : "hdd")
          .putAttributes("kernel", "5." + r.nextInt(20));
      if (r.nextInt(10) == 0) {
        b.setStatus(NodeStatus.NODE_STATUS_DOWN);
      }
      if (r.nextInt(10) == 0) {
        b.setEligible(false);
      }
      if (r.nextInt(4) == 0) {
        b.addReservedPorts(8080);
      }
      if (r.nextInt(8) == 0) {
        b.clearDrivers().addDrivers("exec");
      }
      nodes.add(b.build());
    }
    return nodes;
  }

  private static GroupSpec.Builder randomGroup(Random r, String name, boolean ports) {
    TaskSpec.Builder t = Fixtures.task("t", 100 + 100L * r.nextInt(10), 64 + 64L * r.nextInt(8));
    if (ports && r.nextInt(3) == 0) {
      t.addPorts(PortSpec.newBuilder().setName("http").setTo(80).setStatic(r.nextBoolean() ? 8080 : 0));
    }
    GroupSpec.Builder g = GroupSpec.newBuilder().setName(name).setCount(1 + r.nextInt(25)).addTasks(t)
        .setPlacement(r.nextBoolean() ? "binpack" : "spread");
    switch (r.nextInt(6)) {
      case 0 -> g.addConstraints(constraint("label.disk", "=", "ssd"));
      case 1 -> g.addConstraints(constraint("attr.kernel", "version", ">= 5.5"));
      case 2 -> g.addConstraints(constraint("label.rack", "!=", "r0"));
      case 3 -> g.addConstraints(constraint("", "distinct_hosts", ""));
      default -> { }
    }
    if (r.nextBoolean()) {
      g.addSpread(SpreadSpec.newBuilder().setAttribute("label.rack"));
    }
    return g;
  }

  /** How many allocations of g the empty cluster can hold: the exact capacity for one group. */
  private static int slots(ClusterSnapshot snap, JobSpec spec, GroupSpec g) {
    PlacementContext ctx = new PlacementContext(snap, new UsageLedger(snap), spec, g, GroupAsk.of(g),
        new int[snap.nodeCount()], g.getCount(), Seed.of("x"));
    FilterChain chain = FilterChain.of(spec, g);
    GroupAsk ask = GroupAsk.of(g);
    int total = 0;
    for (int n : chain.staticCandidates(ctx)) {
      Node node = snap.node(n);
      long fit = Math.min(node.getCapacity().getCpu() / ask.cpu(), node.getCapacity().getMemory() / ask.memory());
      if (chain.distinctHosts() || ask.ports().stream().anyMatch(p -> p.staticPort() != 0)) {
        fit = Math.min(fit, chain.dynamicReject(n, ctx) == null ? 1 : 0);
      }
      total += (int) fit;
    }
    return total;
  }

  private static void assertInvariants(ClusterSnapshot snap, String where) {
    for (int i = 0; i < snap.nodeCount(); i++) {
      Node n = snap.node(i);
      assertTrue(snap.cpuUsed(i) <= n.getCapacity().getCpu(), where + ": cpu over-committed on " + n.getName());
      assertTrue(snap.memUsed(i) <= n.getCapacity().getMemory(), where + ": memory over-committed on " + n.getName());
    }
    Set<String> ports = new HashSet<>();
    Set<String> slots = new HashSet<>();
    for (Allocation a : snap.allocs()) {
      if (!AllocationRules.isLive(a)) {
        continue;
      }
      Node n = snap.node(snap.nodeIndex(a.getNodeId()));
      if (!slots.add(a.getJob() + "/" + a.getGroup() + "/" + a.getIndex())) {
        fail(where + ": slot placed twice " + a.getJob() + "/" + a.getGroup() + "/" + a.getIndex());
      }
      for (AllocatedPort p : a.getPortsList()) {
        assertTrue(ports.add(a.getNodeId() + ":" + p.getHost()), where + ": port used twice " + p.getHost());
        assertTrue(!n.getReservedPortsList().contains(p.getHost()), where + ": reserved port " + p.getHost());
      }
      Job job = snap.job(a.getJob());
      GroupSpec g = job.getSpec().getGroupsList().stream().filter(x -> x.getName().equals(a.getGroup())).findFirst()
          .orElseThrow();
      PlacementContext ctx = new PlacementContext(snap, new UsageLedger(snap), job.getSpec(), g, GroupAsk.of(g),
          new int[snap.nodeCount()], 1, Seed.of("x"));
      if (NodeFit.isSchedulable(n)) {
        // (A node that went down or was drained after placement is the reconciler's business.)
        assertNull(FilterChain.of(job.getSpec(), g).staticReject(snap.nodeIndex(a.getNodeId()), ctx),
            where + ": constraint violated by " + a.getId() + " on " + n.getName());
      }
    }
  }

  @Test
  void randomClustersKeepEveryInvariant() {
    for (int trial = 0; trial < TRIALS; trial++) {
      Random r = new Random(trial);
      List<Node> nodes = randomNodes(r);
      List<Job> jobs = new ArrayList<>();
      int jobCount = 1 + r.nextInt(3);
      for (int j = 0; j < jobCount; j++) {
        JobSpec.Builder spec = JobSpec.newBuilder().setName("job" + j).setType(j == 2 && r.nextBoolean() ? "system" : "service");
        int groups = 1 + r.nextInt(2);
        for (int g = 0; g < groups; g++) {
          spec.addGroups(randomGroup(r, "g" + g, j > 0));
        }
        jobs.add(Fixtures.job(spec, 1));
      }
      ClusterSnapshot snap = ClusterSnapshot.of(1, nodes, jobs, List.of());
      String where = "trial " + trial;

      // Capacity for one group alone on the empty cluster is exact: placed == min(count, slots).
      Job first = jobs.get(0);
      if (first.getSpec().getGroupsCount() == 1) {
        GroupSpec g = first.getSpec().getGroups(0);
        int slots = slots(snap, first.getSpec(), g);
        Plan p = scheduler.schedule(snap, eval("e0-" + trial, first.getName()));
        assertEquals(Math.min(g.getCount(), slots), p.placements().size(), where + ": placed vs capacity");
        assertEquals(slots >= g.getCount(), p.failures().isEmpty(), where);
      }

      for (Job job : jobs) {
        Plan p = scheduler.schedule(snap, eval("e-" + trial + "-" + job.getName(), job.getName()));
        // Same inputs, and the same objects in another order, give the identical plan.
        assertEquals(p, scheduler.schedule(snap, eval("e-" + trial + "-" + job.getName(), job.getName())), where);
        List<Node> shuffled = new ArrayList<>(nodes);
        Collections.shuffle(shuffled, r);
        List<Allocation> allocs = new ArrayList<>(snap.allocs());
        Collections.shuffle(allocs, r);
        ClusterSnapshot same = ClusterSnapshot.of(snap.index(), shuffled, jobs, allocs);
        assertEquals(p, scheduler.schedule(same, eval("e-" + trial + "-" + job.getName(), job.getName())), where);
        PlanCheck check = PlanChecker.check(snap, p);
        assertTrue(check.fullyAccepted(), where + ": checker refused the scheduler's own plan " + check.rejectedNodes());
        snap = snap.apply(p, snap.index() + 1);
        assertInvariants(snap, where + " after " + job.getName());
      }
      // Knock a node down and drain another: the re-evaluations keep every invariant.
      if (nodes.size() > 2) {
        snap = snap.withNode(nodes.get(0).toBuilder().setStatus(NodeStatus.NODE_STATUS_DOWN).build(), snap.index() + 1);
        snap = snap.withNode(nodes.get(1).toBuilder().setDraining(true).build(), snap.index() + 1);
        for (Job job : jobs) {
          snap = Fixtures.converge(snap, job.getName(), 3);
          assertInvariants(snap, where + " after failure, " + job.getName());
          String down = nodes.get(0).getId();
          String drained = nodes.get(1).getId();
          assertTrue(Fixtures.live(snap, job.getName()).stream()
              .noneMatch(a -> a.getNodeId().equals(down)), where + ": still live on a down node");
          if (!job.getSpec().getType().equals("system")) {
            long onDrained = Fixtures.live(snap, job.getName()).stream().filter(a -> a.getNodeId().equals(drained)).count();
            // Whatever is left on the drained node had nowhere to go, and the plan says so.
            assertTrue(onDrained == 0
                || !scheduler.schedule(snap, eval("check-" + trial, job.getName())).failures().isEmpty(), where);
          }
        }
      }
    }
  }
}
