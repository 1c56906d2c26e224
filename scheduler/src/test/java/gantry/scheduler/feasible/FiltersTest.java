package gantry.scheduler.feasible;

import static gantry.scheduler.Fixtures.constraint;
import static gantry.scheduler.Fixtures.group;
import static gantry.scheduler.Fixtures.groupWithPort;
import static gantry.scheduler.Fixtures.node;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.scheduler.ClusterSnapshot;
import gantry.scheduler.GroupAsk;
import gantry.scheduler.Seed;
import gantry.scheduler.UsageLedger;
import gantry.v1.GroupSpec;
import gantry.v1.JobSpec;
import gantry.v1.Node;
import gantry.v1.NodeStatus;
import gantry.v1.PlacementFailure;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FiltersTest {
  private static PlacementContext ctx(List<Node> nodes, GroupSpec g, JobSpec job) {
    ClusterSnapshot snap = ClusterSnapshot.of(1, nodes, List.of(), List.of());
    return new PlacementContext(snap, new UsageLedger(snap), job, g, GroupAsk.of(g), new int[nodes.size()],
        g.getCount(), Seed.of("e"));
  }

  private static PlacementContext ctx(Node n, GroupSpec g) {
    return ctx(List.of(n), g, JobSpec.getDefaultInstance());
  }

  @Test
  void readyFilterRejectsDownDrainingAndIneligible() {
    GroupSpec g = group("g", 1, 100, 100).build();
    ReadyFilter f = new ReadyFilter();
    assertNull(f.reject(0, ctx(node("a", 1000, 1000).build(), g)));
    assertEquals("node down", f.reject(0, ctx(node("a", 1000, 1000).setStatus(NodeStatus.NODE_STATUS_DOWN).build(), g)));
    assertEquals("node draining", f.reject(0, ctx(node("a", 1000, 1000).setDraining(true).build(), g)));
    assertEquals("node ineligible", f.reject(0, ctx(node("a", 1000, 1000).setEligible(false).build(), g)));
    assertEquals("node not ready",
        f.reject(0, ctx(node("a", 1000, 1000).setStatus(NodeStatus.NODE_STATUS_INITIALIZING).build(), g)));
  }

  @Test
  void driverFilterNeedsEveryDriver() {
    GroupSpec g = group("g", 1, 100, 100).build();
    assertNull(new DriverFilter().reject(0, ctx(node("a", 1000, 1000).build(), g)));
    Node execOnly = node("a", 1000, 1000).clearDrivers().addDrivers("exec").build();
    assertEquals("missing driver docker", new DriverFilter().reject(0, ctx(execOnly, g)));
  }

  @Test
  void resourceFilterChecksCpuThenMemory() {
    ResourceFilter f = new ResourceFilter();
    Node n = node("a", 1000, 512).build();
    assertNull(f.reject(0, ctx(n, group("g", 1, 1000, 512).build())));
    assertEquals("exhausted cpu", f.reject(0, ctx(n, group("g", 1, 1001, 10).build())));
    assertEquals("exhausted memory", f.reject(0, ctx(n, group("g", 1, 10, 513).build())));
  }

  @Test
  void portFilterRejectsReservedStaticPortAndExhaustedRange() {
    PortFilter f = new PortFilter();
    Node reserved = node("a", 1000, 1000).addReservedPorts(8080).build();
    assertEquals("port 8080 in use", f.reject(0, ctx(reserved, groupWithPort("g", 1, 1, 1, 8080).build())));
    assertNull(f.reject(0, ctx(reserved, groupWithPort("g", 1, 1, 1, 8081).build())));
    Node.Builder full = node("b", 1000, 1000);
    for (int p = PortAssigner.DYNAMIC_MIN; p <= PortAssigner.DYNAMIC_MAX; p++) {
      full.addReservedPorts(p);
    }
    assertEquals("dynamic ports exhausted", f.reject(0, ctx(full.build(), groupWithPort("g", 1, 1, 1, 0).build())));
  }

  @Test
  void portAssignerAvoidsUsedPortsAndIsDeterministic() {
    Node.Builder n = node("a", 1000, 1000);
    for (int p = PortAssigner.DYNAMIC_MIN; p < PortAssigner.DYNAMIC_MAX; p++) {
      n.addReservedPorts(p);
    }
    PlacementContext c = ctx(n.build(), groupWithPort("g", 1, 1, 1, 0).build());
    var ports = PortAssigner.assign(c.ledger().ports(0), c.ask(), c.seed(), 0);
    assertEquals(PortAssigner.DYNAMIC_MAX, ports.get(0).getHost(), "the only free port in the range");
    PlacementContext open = ctx(node("b", 1, 1).build(), groupWithPort("g", 1, 1, 1, 0).build());
    var first = PortAssigner.assign(open.ledger().ports(0), open.ask(), Seed.of("x"), 7);
    var again = PortAssigner.assign(open.ledger().ports(0), open.ask(), Seed.of("x"), 7);
    assertEquals(first, again);
  }

  private static String check(String attr, String op, String value, Node n) {
    return ConstraintFilter.of(constraint(attr, op, value)).reject(0, ctx(n, group("g", 1, 1, 1).build()));
  }

  @Test
  void constraintOperators() {
    Node n = node("web-1", 1000, 1000).putLabels("disk", "ssd").putAttributes("kernel", "5.15.0-91")
        .putLabels("caps", "gpu, avx2,nvme").build();
    assertNull(check("label.disk", "=", "ssd", n));
    assertEquals("failed constraint label.disk = hdd", check("label.disk", "=", "hdd", n));
    assertEquals("failed constraint label.rack = r1", check("label.rack", "=", "r1", n));
    assertNull(check("label.disk", "!=", "hdd", n));
    assertNull(check("label.rack", "!=", "r1", n), "missing attribute differs");
    assertEquals("failed constraint label.disk != ssd", check("label.disk", "!=", "ssd", n));
    assertNull(check("node.name", "regexp", "^web-\\d+$", n));
    assertTrue(check("node.name", "regexp", "^db-", n).startsWith("failed constraint"));
    assertNull(check("attr.kernel", "version", ">= 5.10, < 6", n));
    assertTrue(check("attr.kernel", "version", ">= 6", n) != null);
    assertNull(check("label.caps", "set_contains", "gpu,nvme", n));
    assertTrue(check("label.caps", "set_contains", "gpu,tpu", n) != null);
    assertTrue(check("label.disk", "regexp", "([", n) != null, "a bad regexp never matches");
    assertTrue(check("label.disk", "bogus", "x", n) != null, "an unknown operator never matches");
  }

  /** (a+)+$ against a...ab takes a backtracking matcher 2^40 steps; RE2/J's time is linear in the value. */
  @Test
  void aCatastrophicPatternForBacktrackingIsQuickHere() {
    Node bomb = node("web-1", 1000, 1000).putLabels("bomb", "a".repeat(40) + "b").putLabels("fine", "aaaa").build();
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
      assertEquals("failed constraint label.bomb regexp (a+)+$", check("label.bomb", "regexp", "(a+)+$", bomb));
      assertNull(check("label.fine", "regexp", "(a+)+$", bomb));
    });
  }

  @Test
  void versionRange() {
    VersionRange r = VersionRange.parse(">= 1.2, < 2");
    assertTrue(r.matches("1.2"));
    assertTrue(r.matches("1.10.3"));
    assertTrue(r.matches("v1.9-beta"));
    assertFalse(r.matches("2.0"));
    assertFalse(r.matches("1.1.9"));
    assertFalse(r.matches("abc"));
    assertTrue(VersionRange.parse("1.2").matches("1.2.0"));
    assertTrue(VersionRange.parse("!= 1.2").matches("1.3"));
  }

  @Test
  void distinctHostsRejectsNodesRunningTheGroup() {
    PlacementContext c = ctx(node("a", 1000, 1000).build(), group("g", 2, 1, 1).build());
    assertNull(new DistinctHostsFilter().reject(0, c));
    c.groupCount()[0] = 1;
    assertEquals(DistinctHostsFilter.REASON, new DistinctHostsFilter().reject(0, c));
  }

  @Test
  void chainExplainsWithCountsPerFirstFailingFilter() {
    GroupSpec g = group("g", 1, 100, 600).addConstraints(constraint("label.disk", "=", "ssd")).build();
    List<Node> nodes = List.of(
        node("a", 1000, 500, Map.of("disk", "ssd")),
        node("b", 1000, 500, Map.of("disk", "ssd")),
        node("c", 1000, 500, Map.of("disk", "ssd")),
        node("d", 1000, 5000, Map.of("disk", "hdd")),
        node("e", 1000, 5000, Map.of()));
    PlacementContext c = ctx(nodes, g, JobSpec.getDefaultInstance());
    FilterChain chain = FilterChain.of(JobSpec.getDefaultInstance(), g);
    assertEquals(3, chain.staticCandidates(c).length);
    PlacementFailure f = chain.explain(c, 1, null);
    assertEquals(5, f.getNodesEvaluated());
    assertEquals(Map.of("exhausted memory", 3, "failed constraint label.disk = ssd", 2), f.getFilteredMap());
    assertEquals("5 nodes evaluated: 3 exhausted memory, 2 failed constraint label.disk = ssd", f.getMessage());
  }

  @Test
  void jobAndGroupConstraintsBothApply() {
    JobSpec job = JobSpec.newBuilder().addConstraints(constraint("label.zone", "=", "z1")).build();
    GroupSpec g = group("g", 1, 1, 1).addConstraints(constraint("label.disk", "=", "ssd")).build();
    List<Node> nodes = List.of(
        node("a", 10, 10, Map.of("zone", "z1", "disk", "ssd")),
        node("b", 10, 10, Map.of("zone", "z1", "disk", "hdd")),
        node("c", 10, 10, Map.of("zone", "z2", "disk", "ssd")));
    PlacementContext c = ctx(nodes, g, job);
    int[] cands = FilterChain.of(job, g).staticCandidates(c);
    assertEquals(1, cands.length);
    assertEquals("a", c.snapshot().node(cands[0]).getName());
  }

  @Test
  void indexedCandidatesEqualThePerNodeFilters() {
    java.util.Random r = new java.util.Random(7);
    List<Node> nodes = new java.util.ArrayList<>();
    for (int i = 0; i < 300; i++) {
      Node.Builder b = node("n" + i, 1000, 1000);
      if (r.nextBoolean()) {
        b.putLabels("disk", r.nextBoolean() ? "ssd" : "hdd");
      }
      b.putAttributes("kernel", r.nextInt(7) + "." + r.nextInt(20));
      b.putLabels("caps", String.join(",", r.nextBoolean() ? "gpu" : "cpu", r.nextBoolean() ? "avx" : "sse"));
      if (r.nextInt(5) == 0) {
        b.clearDrivers().addDrivers("exec");
      }
      if (r.nextInt(7) == 0) {
        b.setStatus(NodeStatus.NODE_STATUS_DOWN);
      }
      nodes.add(b.build());
    }
    List<List<gantry.v1.Constraint>> cases = List.of(
        List.of(constraint("label.disk", "=", "ssd")),
        List.of(constraint("label.disk", "!=", "ssd")),
        List.of(constraint("attr.kernel", "version", ">= 3.5, < 5")),
        List.of(constraint("label.caps", "set_contains", "gpu,avx"), constraint("node.name", "regexp", "7$")),
        List.of(constraint("node.id", "!=", "id-n3"), constraint("label.missing", "!=", "x")),
        List.of(constraint("label.disk", "regexp", "(")));
    for (List<gantry.v1.Constraint> cs : cases) {
      GroupSpec g = group("g", 1, 1, 1).addAllConstraints(cs).build();
      PlacementContext c = ctx(nodes, g, JobSpec.getDefaultInstance());
      FilterChain chain = FilterChain.of(JobSpec.getDefaultInstance(), g);
      List<Integer> brute = new java.util.ArrayList<>();
      for (int n = 0; n < nodes.size(); n++) {
        if (chain.staticReject(n, c) == null) {
          brute.add(n);
        }
      }
      assertEquals(brute, java.util.Arrays.stream(chain.staticCandidates(c)).boxed().toList(), cs.toString());
    }
  }
}
