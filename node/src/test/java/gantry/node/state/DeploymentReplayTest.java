package gantry.node.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.Allocation;
import gantry.v1.AllocationStatusUpdate;
import gantry.v1.AllocationsUpdated;
import gantry.v1.ClientStatus;
import gantry.v1.DeployHealth;
import gantry.v1.Deployment;
import gantry.v1.DeploymentStatus;
import gantry.v1.DesiredStatus;
import gantry.v1.EvalStatus;
import gantry.v1.Evaluation;
import gantry.v1.Job;
import gantry.v1.JobSpec;
import gantry.v1.PlanApplied;
import gantry.v1.Record;
import gantry.v1.Resources;
import gantry.v1.UpdatePolicy;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One test per transition of {@link DeploymentReplay}'s table, on the replayed state. */
class DeploymentReplayTest extends DeploymentHarness {
  @Test
  void aVersionWithoutAnUpdatePolicyIsStableAtOnceAndHasNoDeployment() {
    apply(SchedulingReplayTest.node("n1", 1000, 1024));
    registerAndPlace(ClusterStateTest.spec("web", 1), "a1");
    assertTrue(state.job("web").orElseThrow().getStable());
    assertTrue(state.deployments("web").isEmpty());
    assertEquals(1, state.jobVersions("web").size());
  }

  @Test
  void everyAllocationHealthyMakesTheDeploymentSuccessfulAndTheVersionStable() {
    apply(SchedulingReplayTest.node("n1", 1000, 1024));
    registerAndPlace(rolling("img:1", 2, false), "a1", "a2");
    assertEquals(DeploymentStatus.DEPLOYMENT_STATUS_RUNNING, latest().getStatus());
    Changes first = health("a1", "healthy", "ok");
    assertEquals(1, first.readyEvals().size(), "a health report asks for an evaluation: the roll-out may go on");
    assertEquals(DeploymentStatus.DEPLOYMENT_STATUS_RUNNING, latest().getStatus());
    assertEquals(1, latest().getGroupsOrThrow("g").getHealthy());
    health("a2", "healthy", "ok");
    assertEquals(DeploymentStatus.DEPLOYMENT_STATUS_SUCCESSFUL, latest().getStatus());
    assertEquals(2, latest().getGroupsOrThrow("g").getHealthy());
    assertTrue(state.job("web").orElseThrow().getStable());
    assertTrue(state.jobVersions("web").getFirst().getStable());
  }

  @Test
  void anUnhealthyAllocationFailsTheDeploymentWithItsReason() {
    apply(SchedulingReplayTest.node("n1", 1000, 1024));
    registerAndPlace(rolling("img:1", 1, false), "a1");
    health("a1", "healthy", "ok");
    registerAndPlace(rolling("img:2", 1, false), "b1");
    health("b1", "unhealthy", "task t: exit code 1");
    Deployment d = latest();
    assertEquals(2, d.getJobVersion());
    assertEquals(DeploymentStatus.DEPLOYMENT_STATUS_FAILED, d.getStatus());
    assertEquals("allocation b1 unhealthy: task t: exit code 1", d.getStatusDescription());
    assertEquals(2, state.job("web").orElseThrow().getVersion(), "no auto_revert: the job stays on the failed version");
    assertFalse(state.job("web").orElseThrow().getStable());
  }

  @Test
  void withAutoRevertAFailedDeploymentRegistersTheNewestStableVersionAgain() {
    apply(SchedulingReplayTest.node("n1", 1000, 1024));
    registerAndPlace(rolling("img:1", 1, true), "a1");
    health("a1", "healthy", "ok");
    registerAndPlace(rolling("nope:1", 1, true), "b1");
    Changes c = health("b1", "unhealthy", "task t: image not found: nope:1");

    Job job = state.job("web").orElseThrow();
    assertEquals(3, job.getVersion(), "the stable spec came back as a new version");
    assertEquals("img:1", job.getSpec().getGroups(0).getTasks(0).getImage());
    Deployment failed = state.deployments("web").stream().filter(d -> d.getJobVersion() == 2).findFirst().orElseThrow();
    assertEquals(DeploymentStatus.DEPLOYMENT_STATUS_FAILED, failed.getStatus());
    assertEquals("allocation b1 unhealthy: task t: image not found: nope:1; reverted to version 1", failed.getStatusDescription());
    assertEquals(1, failed.getRevertedToVersion());
    assertEquals(DeploymentStatus.DEPLOYMENT_STATUS_RUNNING, latest().getStatus(), "the revert rolls out as version 3");
    assertEquals(3, latest().getJobVersion());
    assertFalse(c.readyEvals().isEmpty(), "the revert is evaluated");
  }

  @Test
  void aNewVersionOrAStopCancelsTheRunningDeployment() {
    apply(SchedulingReplayTest.node("n1", 1000, 1024));
    registerAndPlace(rolling("img:1", 1, false), "a1");
    registerAndPlace(rolling("img:2", 1, false), "b1");
    List<Deployment> all = state.deployments("web");
    assertEquals(DeploymentStatus.DEPLOYMENT_STATUS_RUNNING, all.get(0).getStatus());
    assertEquals(DeploymentStatus.DEPLOYMENT_STATUS_CANCELLED, all.get(1).getStatus());
    assertEquals("cancelled: superseded by version 2", all.get(1).getStatusDescription());
    apply(ClusterStateTest.stop("web"));
    assertEquals("cancelled: job stopped", latest().getStatusDescription());
  }

  @Test
  void aScaleMovesTheRunningAllocationsInPlaceAndTheDeploymentCountsThem() {
    apply(SchedulingReplayTest.node("n1", 1000, 1024));
    registerAndPlace(rolling("img:1", 2, false), "a1", "a2");
    health("a1", "healthy", "ok");
    health("a2", "healthy", "ok");
    Changes c = apply(ClusterStateTest.register(rolling("img:1", 1, false), 99));
    Evaluation e = state.eval(c.readyEvals().iterator().next()).orElseThrow();
    Job v2 = state.job("web").orElseThrow();
    Allocation a1 = state.alloc("a1").orElseThrow();
    apply(Record.newBuilder().setPlanApplied(PlanApplied.newBuilder().setEvalId(e.getId()).setEvalStatus(EvalStatus.EVAL_STATUS_COMPLETE)
        .addStops(gantry.v1.AllocationStop.newBuilder().setAllocationId("a2").setDescription("scaled down to 1"))
        .addUpdatedInPlace(a1.toBuilder().setJobVersion(v2.getVersion()).setGroupSpec(v2.getSpec().getGroups(0))
            .setDesiredDescription("updated in place to version 2"))).build());

    Allocation moved = state.alloc("a1").orElseThrow();
    assertEquals(2, moved.getJobVersion());
    assertEquals(1, moved.getGroupSpec().getCount());
    assertEquals("healthy", moved.getDeployHealth().getStatus(), "it ran healthy and runs on unchanged");
    assertEquals(DeploymentStatus.DEPLOYMENT_STATUS_SUCCESSFUL, latest().getStatus(),
        "a roll-out made only of updates in place ends without a health report");
    assertEquals(2, latest().getJobVersion());
  }

  @Test
  void anUpdateInPlaceOfAnAllocationNoLongerLiveIsDropped() {
    apply(SchedulingReplayTest.node("n1", 1000, 1024));
    registerAndPlace(rolling("img:1", 1, false), "a1");
    apply(SchedulingReplayTest.update("a1", ClientStatus.CLIENT_STATUS_FAILED));
    Changes c = apply(ClusterStateTest.register(rolling("img:1", 2, false), 99));
    Evaluation e = state.eval(c.readyEvals().iterator().next()).orElseThrow();
    apply(Record.newBuilder().setPlanApplied(PlanApplied.newBuilder().setEvalId(e.getId()).setEvalStatus(EvalStatus.EVAL_STATUS_COMPLETE)
        .addUpdatedInPlace(state.alloc("a1").orElseThrow().toBuilder().setJobVersion(2))).build());
    assertEquals(1, state.alloc("a1").orElseThrow().getJobVersion(), "a failed allocation stays as it ended");
  }

  @Test
  void aScaleRecordSetsOneGroupsCountOnTheSpecAsItIsThen() {
    apply(SchedulingReplayTest.node("n1", 1000, 1024));
    registerAndPlace(rolling("img:1", 2, false), "a1", "a2");
    Changes c = apply(scale("web", "g", 5));
    Job job = state.job("web").orElseThrow();
    assertEquals(2, job.getVersion());
    assertEquals(5, job.getSpec().getGroups(0).getCount());
    assertEquals("img:1", job.getSpec().getGroups(0).getTasks(0).getImage(), "the rest of the spec as it was");
    assertEquals(1, c.readyEvals().size());
    assertFalse(state.replay(scale("web", "g", 5), ++index, out, new Changes()).getChanged(), "the same count changes nothing");
    assertEquals("NOT_FOUND", state.replay(scale("web", "nope", 1), ++index, out, new Changes()).getErrorCode());
    assertEquals("NOT_FOUND", state.replay(scale("other", "g", 1), ++index, out, new Changes()).getErrorCode());
    apply(ClusterStateTest.stop("web"));
    var stopped = state.replay(scale("web", "g", 1), ++index, out, new Changes());
    assertEquals("FAILED_PRECONDITION", stopped.getErrorCode());
    assertEquals("job \"web\" is stopped: run it again to scale it", stopped.getErrorMessage());
  }

  static Record scale(String job, String group, int count) {
    return Record.newBuilder().setJobScaled(gantry.v1.JobScaled.newBuilder().setName(job).setGroup(group).setCount(count).setTimeMs(7)).build();
  }

  @Test
  void deployHealthIsDecidedOnce() {
    apply(SchedulingReplayTest.node("n1", 1000, 1024));
    registerAndPlace(rolling("img:1", 1, false), "a1");
    health("a1", "healthy", "ok");
    health("a1", "unhealthy", "later");
    assertEquals("healthy", state.alloc("a1").orElseThrow().getDeployHealth().getStatus());
    assertEquals(DeploymentStatus.DEPLOYMENT_STATUS_SUCCESSFUL, latest().getStatus());
  }

  @Test
  void deploymentsAndVersionsSurviveARestart(@TempDir Path dir) throws Exception {
    try (var store = gantry.node.store.StateStore.open(dir.resolve("db"));
        var wb = new org.rocksdb.WriteBatch()) {
      var mutations = new gantry.node.raft.TestBatchMutations(wb);
      state.replay(ClusterStateTest.register(rolling("img:1", 1, false), 1), 1, mutations, new Changes());
      state.replay(ClusterStateTest.register(rolling("img:2", 1, false), 2), 2, mutations, new Changes());
      store.write(wb);
      ClusterState loaded = ClusterState.load(store);
      assertEquals(2, loaded.deployments("web").size());
      assertEquals(state.deployments("web"), loaded.deployments("web"));
      assertEquals(state.jobVersions("web"), loaded.jobVersions("web"));
    }
  }
}
