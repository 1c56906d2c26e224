package gantry.scheduler;

import static gantry.scheduler.Fixtures.converge;
import static gantry.scheduler.Fixtures.eval;
import static gantry.scheduler.Fixtures.group;
import static gantry.scheduler.Fixtures.job;
import static gantry.scheduler.Fixtures.live;
import static gantry.scheduler.Fixtures.snapshot;
import static gantry.scheduler.Fixtures.uniformNodes;
import static gantry.scheduler.Fixtures.withHealth;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.Allocation;
import gantry.v1.Deployment;
import gantry.v1.DeploymentGroup;
import gantry.v1.DeploymentStatus;
import gantry.v1.Evaluation;
import gantry.v1.Job;
import gantry.v1.Node;
import gantry.v1.UpdatePolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the job's deployment changes in a plan: canaries and promotion, a pause, a system job's stagger. */
class DeploymentSchedulingTest {
  private final Scheduler scheduler = new Scheduler();

  private static Deployment deployment(Job job, DeploymentStatus status, int canaries, boolean promoted) {
    return Deployment.newBuilder().setId("d-" + job.getVersion()).setJob(job.getName()).setJobVersion(job.getVersion())
        .setStatus(status).putGroups("g", DeploymentGroup.newBuilder().setDesired(3).setDesiredCanaries(canaries)
            .setPromoted(promoted).build()).build();
  }

  /** Three replicas of version 1, running; version 2 (more CPU: a destructive change) registered with {@code update}. */
  private ClusterSnapshot updating(UpdatePolicy.Builder update, List<Node> nodes) {
    ClusterSnapshot snap = converge(snapshot(nodes, List.of(job("web", "service", 1, group("g", 3, 100, 100))), List.of()), "web", 3);
    return snap.withJob(job("web", "service", 2, group("g", 3, 200, 100).setUpdate(update)), snap.index() + 1);
  }

  @Test
  void aCanaryRunsBesideTheOldAllocationsUntilTheDeploymentIsPromoted() {
    ClusterSnapshot snap = updating(UpdatePolicy.newBuilder().setMaxParallel(1).setCanary(1), uniformNodes(2, 4000, 4000));
    Job v2 = snap.job("web");
    List<Deployment> blocked = List.of(deployment(v2, DeploymentStatus.DEPLOYMENT_STATUS_RUNNING, 1, false));
    snap = snap.withDeployments(blocked);

    Plan first = scheduler.schedule(snap, eval("e1", "web"));
    assertEquals(1, first.placements().size());
    Allocation canary = first.placements().getFirst();
    assertTrue(canary.getCanary());
    assertEquals(2, canary.getJobVersion());
    assertTrue(first.updates().isEmpty(), "a canary stops nothing");
    assertEquals(2, first.deferredUpdates());

    snap = snap.apply(first, snap.index() + 1);
    assertTrue(scheduler.schedule(snap, eval("e2", "web")).isEmpty(), "one canary is enough: no second one");
    snap = withHealth(snap, "web", 2, "healthy", 1).withDeployments(blocked);
    assertTrue(scheduler.schedule(snap, eval("e3", "web")).isEmpty(),
        "a healthy canary does not replace what it runs beside until the deployment is promoted");
    assertEquals(4, live(snap, "web").size());

    snap = snap.withDeployments(List.of(deployment(v2, DeploymentStatus.DEPLOYMENT_STATUS_RUNNING, 1, true)));
    Plan promoted = scheduler.schedule(snap, eval("e4", "web"));
    assertEquals(List.of(canary.getPreviousAllocation()), promoted.updates().stream().map(u -> u.allocId()).toList(),
        "promoted: the allocation beside the canary stops");
    assertEquals("replaced by " + canary.getId(), promoted.updates().getFirst().description());
    assertEquals(1, promoted.placements().size(), "and the roll-out goes on, max_parallel at a time");
    assertTrue(!promoted.placements().getFirst().getCanary());
  }

  @Test
  void aCanaryWithNoRoomBesideTheOldOnesIsNotPlacedAndStopsNothing() {
    ClusterSnapshot snap = updating(UpdatePolicy.newBuilder().setMaxParallel(1).setCanary(1), uniformNodes(1, 300, 4000));
    snap = snap.withDeployments(List.of(deployment(snap.job("web"), DeploymentStatus.DEPLOYMENT_STATUS_RUNNING, 1, false)));
    Plan p = scheduler.schedule(snap, eval("e1", "web"));
    assertTrue(p.placements().isEmpty());
    assertTrue(p.updates().isEmpty(), "never stop_first: the old allocations keep serving");
    assertEquals(1, p.failures().get("g").getUnplaced(), "the group says why (the deployment fails by its progress deadline)");
  }

  @Test
  void aPausedDeploymentReplacesNothing() {
    ClusterSnapshot snap = updating(UpdatePolicy.newBuilder().setMaxParallel(2), uniformNodes(2, 4000, 4000));
    Job v2 = snap.job("web");
    Plan paused = scheduler.schedule(
        snap.withDeployments(List.of(deployment(v2, DeploymentStatus.DEPLOYMENT_STATUS_PAUSED, 0, true))), eval("e1", "web"));
    assertTrue(paused.isEmpty());
    assertEquals(3, paused.deferredUpdates());
    Plan resumed = scheduler.schedule(
        snap.withDeployments(List.of(deployment(v2, DeploymentStatus.DEPLOYMENT_STATUS_RUNNING, 0, true))), eval("e2", "web"));
    assertEquals(2, resumed.placements().size());
  }

  @Test
  void aSystemJobWaitsItsStaggerAfterEachSetBecameHealthy() {
    List<Node> nodes = uniformNodes(3, 4000, 4000);
    ClusterSnapshot snap = converge(snapshot(nodes, List.of(job("agentd", "system", 1, group("g", 1, 100, 100))), List.of()),
        "agentd", 3);
    snap = snap.withJob(job("agentd", "system", 2, group("g", 1, 200, 100)
        .setUpdate(UpdatePolicy.newBuilder().setMaxParallel(1).setStaggerMs(30_000))), snap.index() + 1);

    Plan first = scheduler.schedule(snap, at(eval("e1", "agentd"), 1_000));
    assertEquals(1, first.placements().size(), "one node at a time");
    snap = withHealth(snap.apply(first, snap.index() + 1), "agentd", 2, "healthy", 1, 2_000);

    Plan early = scheduler.schedule(snap, at(eval("e2", "agentd"), 3_000));
    assertTrue(early.isEmpty(), "healthy at 2 s: the next node waits until 32 s");
    assertEquals(32_000, early.wakeAtMs(), "and the plan asks to be evaluated again then");

    Plan later = scheduler.schedule(snap, at(eval("e3", "agentd"), 32_000));
    assertEquals(1, later.placements().size());
    assertEquals(0, later.wakeAtMs());
  }

  private static Evaluation at(Evaluation e, long timeMs) {
    return e.toBuilder().setCreateTimeMs(timeMs).build();
  }
}
