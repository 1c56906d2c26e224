package gantry.scheduler;

import static gantry.scheduler.Fixtures.eval;
import static gantry.scheduler.Fixtures.group;
import static gantry.scheduler.Fixtures.job;
import static gantry.scheduler.Fixtures.live;
import static gantry.scheduler.Fixtures.node;
import static gantry.scheduler.Fixtures.snapshot;
import static gantry.scheduler.Fixtures.uniformNodes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.Allocation;
import gantry.v1.Job;
import gantry.v1.Node;
import gantry.v1.NodeStatus;
import java.util.List;
import org.junit.jupiter.api.Test;

class PlanCheckerTest {
  private final Scheduler scheduler = new Scheduler();

  @Test
  void rejectsTheOverCommitOfTwoPlansFromTheSameSnapshot() {
    List<Node> nodes = uniformNodes(1, 1000, 1000);
    Job a = job("a", "service", 1, group("g", 1, 600, 100));
    Job b = job("b", "service", 1, group("g", 1, 600, 100));
    ClusterSnapshot base = snapshot(nodes, List.of(a, b), List.of());
    Plan pa = scheduler.schedule(base, eval("ea", "a"));
    Plan pb = scheduler.schedule(base, eval("eb", "b"));
    assertEquals(1, pa.placements().size());
    assertEquals(1, pb.placements().size(), "each plan alone fits");

    PlanCheck first = PlanChecker.check(base, pa);
    assertTrue(first.fullyAccepted());
    ClusterSnapshot newest = base.apply(first.accepted(), 2);
    PlanCheck second = PlanChecker.check(newest, pb);
    assertFalse(second.fullyAccepted());
    assertEquals("exhausted cpu", second.rejectedNodes().get(nodes.get(0).getId()));
    assertTrue(second.accepted().placements().isEmpty());
    ClusterSnapshot after = newest.apply(second.accepted(), 3);
    assertTrue(after.cpuUsed(0) <= 1000);
  }

  @Test
  void rejectsPortCollisionsBetweenConcurrentPlans() {
    List<Node> nodes = uniformNodes(1, 1000, 1000);
    Job a = job("a", "service", 1, Fixtures.groupWithPort("g", 1, 10, 10, 9000));
    Job b = job("b", "service", 1, Fixtures.groupWithPort("g", 1, 10, 10, 9000));
    ClusterSnapshot base = snapshot(nodes, List.of(a, b), List.of());
    Plan pa = scheduler.schedule(base, eval("ea", "a"));
    Plan pb = scheduler.schedule(base, eval("eb", "b"));
    ClusterSnapshot newest = base.apply(PlanChecker.check(base, pa).accepted(), 2);
    assertEquals("port 9000 in use", PlanChecker.check(newest, pb).rejectedNodes().get(nodes.get(0).getId()));
  }

  @Test
  void rejectsNodesThatWentDownAndAcceptsTheRest() {
    List<Node> nodes = uniformNodes(2, 1000, 1000);
    Job a = job("a", "service", 1, group("g", 2, 100, 100).setPlacement("spread"));
    ClusterSnapshot base = snapshot(nodes, List.of(a), List.of());
    Plan p = scheduler.schedule(base, eval("ea", "a"));
    assertEquals(2, p.placements().stream().map(Allocation::getNodeId).distinct().count());
    ClusterSnapshot newest = base.withNode(nodes.get(1).toBuilder().setStatus(NodeStatus.NODE_STATUS_DOWN).build(), 2);
    PlanCheck c = PlanChecker.check(newest, p);
    assertEquals(1, c.accepted().placements().size());
    assertEquals(1, c.rejectedPlacements().size());
    assertEquals("node down", c.rejectedNodes().get(nodes.get(1).getId()), "the same words as the scheduler's ready filter");
    assertEquals("node gone", PlanChecker.check(snapshot(List.of(nodes.get(0)), List.of(a), List.of()), p)
        .rejectedNodes().get(nodes.get(1).getId()));
  }

  @Test
  void stopsFreeRoomAndARejectedReplacementKeepsItsOldAllocation() {
    Node n = node("a", 1000, 1000).build();
    Job v1 = job("web", "service", 1, group("g", 1, 700, 100));
    ClusterSnapshot snap = Fixtures.converge(snapshot(List.of(n), List.of(v1), List.of()), "web", 2);
    Job v2 = job("web", "service", 2, group("g", 1, 800, 100));
    snap = snap.withJob(v2, snap.index() + 1);
    Plan update = scheduler.schedule(snap, eval("upd", "web"));
    assertEquals(1, update.placements().size());
    assertEquals(1, update.updates().size());
    PlanCheck ok = PlanChecker.check(snap, update);
    assertTrue(ok.fullyAccepted(), "the stop of the old version frees the room: " + ok.rejectedNodes());

    // Meanwhile another job took 250m: the in-place update no longer fits; the old one must keep running.
    Job other = job("other", "service", 1, group("g", 1, 250, 10));
    ClusterSnapshot newest = snap.withJob(other, snap.index() + 1);
    newest = newest.apply(scheduler.schedule(newest, eval("o", "other")), newest.index() + 1);
    PlanCheck rejected = PlanChecker.check(newest, update);
    assertFalse(rejected.fullyAccepted());
    assertTrue(rejected.accepted().updates().isEmpty());
    assertEquals(1, live(newest.apply(rejected.accepted(), newest.index() + 1), "web").size());
  }
}
