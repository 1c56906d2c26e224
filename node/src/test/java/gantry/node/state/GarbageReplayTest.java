package gantry.node.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.node.store.Keys;
import gantry.v1.Allocation;
import gantry.v1.ClientStatus;
import gantry.v1.Evaluation;
import gantry.v1.GarbageCollected;
import gantry.v1.GarbageCounts;
import gantry.v1.JobVersionRef;
import gantry.v1.Record;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Replay of the GC's record: what it deletes, from memory, the indexes and the store. */
class GarbageReplayTest extends GarbageHarness {
  @Test
  void deletesFinishedEvaluationsButNotAJobsLatestNorUnfinishedOnes() {
    Evaluation old = finish(register("web", 1), 1_000);
    assertEquals(1_000, old.getModifyTimeMs(), "the plan's time is when the evaluation finished");
    Evaluation latest = finish(register("web", 2), 2_000);
    Evaluation pending = register("db", 1);

    apply(collect(9, List.of(old.getId(), latest.getId(), pending.getId(), "no-such-evaluation"), List.of()));

    assertTrue(outcome.getChanged());
    assertTrue(state.eval(old.getId()).isEmpty());
    assertFalse(out.kv.containsKey(Keys.eval(old.getId())), "deleted from the store too");
    assertTrue(state.eval(latest.getId()).isPresent(), "the job's latest evaluation stays: its summary shows it");
    assertEquals(latest.getId(), state.latestEval("web").orElseThrow().getId());
    assertTrue(state.eval(pending.getId()).isPresent(), "an evaluation still to run stays");
    assertTrue(out.kv.containsKey(Keys.eval(pending.getId())));

    apply(collect(9, List.of(latest.getId(), pending.getId()), List.of()));
    assertFalse(outcome.getChanged(), "nothing it may delete: a no-op");
  }

  @Test
  void aPurgedJobsLatestEvaluationGoesAndTheNameCanBeRegisteredAgain() {
    Evaluation latest = finish(register("web", 1), 1_000);
    apply(ClusterStateTest.purge("web"));
    // A purge with no allocations left makes no evaluation of its own.
    assertEquals(latest.getId(), state.latestEval("web").orElseThrow().getId());

    apply(collect(9, List.of(latest.getId()), List.of()));

    assertTrue(state.eval(latest.getId()).isEmpty());
    assertTrue(state.latestEval("web").isEmpty());
    Evaluation again = register("web", 3);
    assertEquals(again.getId(), state.latestEval("web").orElseThrow().getId());
  }

  @Test
  void deletesAnAllocationOnlyOnceItIsStoppedAndFinished() {
    apply(SchedulingReplayTest.node("n1", 4000, 4096));
    Evaluation e = register("web", 2);
    finish(e, 1_000, alloc("a1", "web", 1_000), alloc("a2", "web", 1_000));
    apply(SchedulingReplayTest.update("a1", ClientStatus.CLIENT_STATUS_COMPLETE));

    apply(collect(2 * MINUTE, List.of(), List.of("a1", "a2")));
    assertFalse(outcome.getChanged(), "a1 finished but is still wanted (a batch job's would not run again); a2 runs");

    stop(e, "a1");
    stop(e, "a2");
    apply(collect(2 * MINUTE, List.of(), List.of("a1", "a2")));
    assertTrue(state.alloc("a1").isEmpty(), "stopped and finished: collected");
    assertEquals(GarbageCounts.newBuilder().setAllocations(1).build(), outcome.getCollected());
    assertFalse(out.kv.containsKey(Keys.alloc("a1")));
    assertFalse(state.allocsOfJob("web").stream().anyMatch(a -> a.getId().equals("a1")));
    assertFalse(state.allocsOfNode("n1").stream().anyMatch(a -> a.getId().equals("a1")));
    assertTrue(state.alloc("a2").isPresent(), "told to stop, not yet stopped by its agent: its agent still holds it");

    apply(SchedulingReplayTest.update("a2", ClientStatus.CLIENT_STATUS_COMPLETE));
    apply(collect(2 * MINUTE, List.of(), List.of("a2")));
    assertTrue(state.allocsOfJob("web").isEmpty() && state.allocsOfNode("n1").isEmpty(), "the indexes hold nothing of them");
  }

  @Test
  void aFailedAllocationStaysWhileTheRescheduleDelayCountsIt() {
    apply(SchedulingReplayTest.node("n1", 4000, 4096));
    Evaluation e = register("web", 1);
    finish(e, 1_000, alloc("a1", "web", 1_000));
    apply(SchedulingReplayTest.update("a1", ClientStatus.CLIENT_STATUS_FAILED));
    stop(e, "a1");

    apply(collect(1_000 + 9 * MINUTE, List.of(), List.of("a1")));
    assertTrue(state.alloc("a1").isPresent(), "a failure of the last 10 minutes slows the next replacement down");
    apply(collect(1_000 + 11 * MINUTE, List.of(), List.of("a1")));
    assertTrue(state.alloc("a1").isEmpty());
  }

  @Test
  void aLoadedStateHasNoneOfTheDeletedOnes(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    Evaluation old = finish(register("web", 1), 1_000);
    Evaluation latest = finish(register("web", 2), 2_000);
    apply(collect(9, List.of(old.getId()), List.of()));
    try (gantry.node.store.StateStore store = gantry.node.store.StateStore.open(dir);
        org.rocksdb.WriteBatch wb = new org.rocksdb.WriteBatch()) {
      var m = new gantry.node.raft.TestBatchMutations(wb);
      out.kv.forEach(m::put);
      store.write(wb);
      ClusterState loaded = ClusterState.load(store);
      assertTrue(loaded.eval(old.getId()).isEmpty());
      assertEquals(latest.getId(), loaded.latestEval("web").orElseThrow().getId());
    }
  }

  @Test
  void aStoppedJobGoesWithEverythingOfItOnceNothingOfItRunsOrIsToRun() {
    apply(SchedulingReplayTest.node("n1", 4000, 4096));
    // Version 2 rolls out behind health (an update block): a deployment, which the stop cancels.
    Evaluation first = register(DeploymentHarness.rolling("img:1", 1, false));
    finish(first, 1_000, alloc("a1", "web", 1_000));
    finish(register(DeploymentHarness.rolling("img:2", 1, false)), 2_000, alloc("a2", "web", 2_000));
    Evaluation deregister = state.eval(apply(ClusterStateTest.stop("web")).readyEvals().iterator().next()).orElseThrow();

    apply(collectJob("web"));
    assertFalse(outcome.getChanged(), "its allocations still run and its evaluation is to run");
    stop(deregister, "a1");
    stop(deregister, "a2");
    apply(SchedulingReplayTest.update("a1", ClientStatus.CLIENT_STATUS_COMPLETE));
    apply(collectJob("web"));
    assertFalse(outcome.getChanged(), "a2 is told to stop but its agent has not stopped it yet");

    apply(SchedulingReplayTest.update("a2", ClientStatus.CLIENT_STATUS_COMPLETE));
    assertFalse(state.deployments("web").isEmpty(), "version 2 rolled out as a deployment (cancelled by the stop)");
    apply(collectJob("web"));
    assertTrue(outcome.getChanged());
    assertEquals(GarbageCounts.newBuilder().setEvaluations(3).setAllocations(2).setJobs(1).setDeployments(2).setVersions(2)
        .build(), outcome.getCollected(), "the outcome counts what went with the job: its evaluations (two registrations "
        + "and the stop), allocations, deployments and versions");
    assertTrue(state.job("web").isEmpty() && state.jobVersions("web").isEmpty() && state.allocsOfJob("web").isEmpty()
        && state.latestEval("web").isEmpty() && state.evals().isEmpty());
    assertTrue(state.deployments("web").isEmpty());
    assertFalse(storeHoldsAnythingOf("web"), "nothing of it is left in the store");
  }

  @Test
  void aJobWantedAgainBeforeTheRecordIsKept() {
    apply(SchedulingReplayTest.node("n1", 4000, 4096));
    Evaluation first = register("web", 1);
    finish(first, 1_000);
    Evaluation deregister = state.eval(apply(ClusterStateTest.stop("web")).readyEvals().iterator().next()).orElseThrow();
    finish(deregister, 2_000);
    // The leader found it dead; the user registered it again before its record was applied.
    finish(register("web", 3), 3_000, alloc("a3", "web", 3_000));

    apply(collectJob("web"));

    assertFalse(outcome.getChanged());
    assertTrue(state.job("web").isPresent() && state.alloc("a3").isPresent());
  }

  static Record collectVersions(long... versions) {
    GarbageCollected.Builder b = GarbageCollected.newBuilder().setTimeMs(9);
    for (long v : versions) b.addVersions(JobVersionRef.newBuilder().setJob("web").setVersion(v));
    return Record.newBuilder().setGarbageCollected(b).build();
  }

  @Test
  void keepsTheNewestSixVersionsAndTheNewestStableOneAndDeletesTheRest() {
    rollOutVersions();
    assertTrue(state.jobVersions("web").getFirst().getStable(), "version 1 had no update policy");

    apply(collectVersions(1, 2, 3, 4, 9, 42));

    assertEquals(GarbageCounts.newBuilder().setVersions(2).build(), outcome.getCollected(),
        "1 is auto_revert's target, 4-9 the newest six, 42 none");
    assertEquals(List.of(1L, 4L, 5L, 6L, 7L, 8L, 9L), state.jobVersions("web").stream().map(gantry.v1.Job::getVersion).toList());
    assertFalse(out.kv.containsKey(Keys.jobVersion("web", 2)), "deleted from the store too");
    assertTrue(out.kv.containsKey(Keys.jobVersion("web", 1)));
    apply(Record.newBuilder().setJobReverted(gantry.v1.JobReverted.newBuilder().setName("web").setVersion(2).setTimeMs(9)).build());
    assertEquals("version: job \"web\" has no version 2 (it has versions 1, 4, 5, 6, 7, 8, 9; the GC keeps the newest 6 and "
        + "the newest stable one)", outcome.getErrorMessage());
  }

  @Test
  void deletesEndedDeploymentsButNotAnActiveOneNorAJobsNewest() {
    rollOutVersions();
    List<gantry.v1.Deployment> all = state.deployments("web");
    gantry.v1.Deployment running = all.getFirst();
    assertEquals(9, running.getJobVersion());

    apply(Record.newBuilder().setGarbageCollected(GarbageCollected.newBuilder().setTimeMs(9)
        .addAllDeploymentIds(all.stream().map(gantry.v1.Deployment::getId).toList())).build());

    assertEquals(GarbageCounts.newBuilder().setDeployments(7).build(), outcome.getCollected());
    assertEquals(List.of(running.getId()), state.deployments("web").stream().map(gantry.v1.Deployment::getId).toList());
    assertFalse(out.kv.containsKey(Keys.deployment(all.getLast().getId())));
  }

  static Record down(String node) {
    return Record.newBuilder().setNodeStatusChanged(gantry.v1.NodeStatusChanged.newBuilder().setNodeId(node)
        .setStatus(gantry.v1.NodeStatus.NODE_STATUS_DOWN).setTimeMs(5)).build();
  }

  @Test
  void deletesADownNodeOnceNoAllocationIsLeftOnIt() {
    apply(SchedulingReplayTest.node("n1", 4000, 4096));
    apply(SchedulingReplayTest.node("n2", 4000, 4096));
    apply(SchedulingReplayTest.node("n3", 4000, 4096));
    Evaluation e = register("web", 1);
    finish(e, 1_000, alloc("a1", "web", 1_000).toBuilder().setNodeId("n3").build());
    apply(down("n1"));
    apply(down("n3"));
    GarbageCollected nodes = GarbageCollected.newBuilder().setTimeMs(9).addNodeIds("n1").addNodeIds("n2").addNodeIds("n3")
        .build();

    Changes c = apply(Record.newBuilder().setGarbageCollected(nodes).build());

    assertEquals(GarbageCounts.newBuilder().setNodes(1).build(), outcome.getCollected(), "n2 is ready, n3 holds a1");
    assertTrue(state.node("n1").isEmpty() && state.node("n2").isPresent() && state.node("n3").isPresent());
    assertFalse(out.kv.containsKey(Keys.node("n1")));
    assertTrue(c.touchedNodes().contains("n1"), "the leader's view and dispatcher hear of it");

    stop(e, "a1");
    apply(SchedulingReplayTest.update("a1", ClientStatus.CLIENT_STATUS_LOST));
    apply(Record.newBuilder().setGarbageCollected(nodes.toBuilder().addAllocIds("a1")).build());
    assertEquals(GarbageCounts.newBuilder().setAllocations(1).setNodes(1).build(), outcome.getCollected(),
        "its allocation goes first in the same record, then the node");
    assertTrue(state.nodes().stream().map(gantry.v1.Node::getId).toList().equals(List.of("n2")));

    apply(SchedulingReplayTest.node("n1", 4000, 4096));
    assertTrue(state.node("n1").isPresent(), "an agent that comes back registers its node again");
  }
}
