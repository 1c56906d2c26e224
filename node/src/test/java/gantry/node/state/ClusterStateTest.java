package gantry.node.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.node.store.Keys;
import gantry.node.store.StateStore;
import gantry.v1.GroupSpec;
import gantry.v1.Job;
import gantry.v1.JobPurged;
import gantry.v1.JobRegistered;
import gantry.v1.JobSpec;
import gantry.v1.JobStatus;
import gantry.v1.JobStopped;
import gantry.v1.PeerAnnounced;
import gantry.v1.Record;
import gantry.v1.RecordOutcome;
import gantry.v1.TaskSpec;
import com.google.protobuf.MessageLite;
import java.nio.file.Path;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

class ClusterStateTest {
  /** Mutations kept in a sorted map: what RocksDB would hold. */
  public static final class MapMutations implements Mutations {
    final TreeMap<String, MessageLite> kv = new TreeMap<>();

    @Override
    public void put(String key, MessageLite value) {
      kv.put(key, value);
    }

    @Override
    public void delete(String key) {
      kv.remove(key);
    }
  }

  public static JobSpec spec(String name, int count) {
    return JobSpec.newBuilder().setName(name).addGroups(GroupSpec.newBuilder().setName("g").setCount(count)
        .addTasks(TaskSpec.newBuilder().setName("t").setDriver("exec").addCommand("true"))).build();
  }

  public static Record register(JobSpec spec, long time) {
    return Record.newBuilder().setJobRegistered(JobRegistered.newBuilder().setSpec(spec).setTimeMs(time)).build();
  }

  static Record stop(String name) {
    return Record.newBuilder().setJobStopped(JobStopped.newBuilder().setName(name).setTimeMs(9)).build();
  }

  static Record purge(String name) {
    return Record.newBuilder().setJobPurged(JobPurged.newBuilder().setName(name)).build();
  }

  ClusterState state = new ClusterState();
  MapMutations out = new MapMutations();

  @Test
  void firstRegistrationIsVersionOneAndWritesTheJob() {
    RecordOutcome o = state.replay(register(spec("web", 3), 1000), 7, out, new Changes());
    assertTrue(o.getChanged());
    Job job = o.getJob();
    assertEquals(1, job.getVersion());
    assertEquals(JobStatus.JOB_STATUS_RUNNING, job.getStatus());
    assertEquals(7, job.getCreateIndex());
    assertEquals(1000, job.getSubmitTimeMs());
    assertEquals(job, out.kv.get(Keys.job("web")));
    assertEquals(job, state.job("web").orElseThrow());
  }

  @Test
  void unchangedSpecIsANoOpAndChangedSpecBumpsTheVersion() {
    state.replay(register(spec("web", 3), 1), 1, out, new Changes());
    RecordOutcome same = state.replay(register(spec("web", 3), 2), 2, out, new Changes());
    assertFalse(same.getChanged());
    assertEquals(1, same.getJob().getVersion());
    RecordOutcome changed = state.replay(register(spec("web", 4), 3), 3, out, new Changes());
    assertTrue(changed.getChanged());
    assertEquals(2, changed.getJob().getVersion());
    assertEquals(1, changed.getJob().getCreateIndex());
    assertEquals(3, changed.getJob().getModifyIndex());
  }

  @Test
  void stopKeepsTheJobAndRegisterRestartsItWithANewVersion() {
    state.replay(register(spec("web", 3), 1), 1, out, new Changes());
    RecordOutcome stopped = state.replay(stop("web"), 2, out, new Changes());
    assertEquals(JobStatus.JOB_STATUS_STOPPED, stopped.getJob().getStatus());
    assertFalse(state.replay(stop("web"), 3, out, new Changes()).getChanged());
    RecordOutcome again = state.replay(register(spec("web", 3), 4), 4, out, new Changes());
    assertTrue(again.getChanged());
    assertEquals(2, again.getJob().getVersion());
    assertEquals(JobStatus.JOB_STATUS_RUNNING, again.getJob().getStatus());
  }

  @Test
  void purgeRemovesAndUnknownJobsAreNotFound() {
    state.replay(register(spec("web", 3), 1), 1, out, new Changes());
    assertTrue(state.replay(purge("web"), 2, out, new Changes()).getChanged());
    assertTrue(state.job("web").isEmpty());
    assertFalse(out.kv.containsKey(Keys.job("web")));
    assertEquals("NOT_FOUND", state.replay(purge("web"), 3, out, new Changes()).getErrorCode());
    assertEquals("NOT_FOUND", state.replay(stop("nope"), 4, out, new Changes()).getErrorCode());
  }

  @Test
  void peerAnnouncementIsStoredOnceUntilItChanges() {
    Record a = Record.newBuilder().setPeerAnnounced(PeerAnnounced.newBuilder().setId("m1").setGrpcAddress("h:1")).build();
    assertTrue(state.replay(a, 1, out, new Changes()).getChanged());
    assertFalse(state.replay(a, 2, out, new Changes()).getChanged());
    assertEquals("h:1", state.announcedPeers().get("m1").getGrpcAddress());
  }

  @Test
  void sameLogGivesSameStateOnEveryPeer() {
    Random rnd = new Random(42);
    ClusterState a = new ClusterState();
    ClusterState b = new ClusterState();
    MapMutations outA = new MapMutations();
    MapMutations outB = new MapMutations();
    for (int i = 1; i <= 2000; i++) {
      String name = "job-" + rnd.nextInt(50);
      Record r = switch (rnd.nextInt(4)) {
        case 0, 1 -> register(spec(name, rnd.nextInt(5)), i);
        case 2 -> stop(name);
        default -> purge(name);
      };
      assertEquals(a.replay(r, i, outA, new Changes()), b.replay(r, i, outB, new Changes()));
    }
    assertEquals(outA.kv, outB.kv);
    assertEquals(a.jobs(""), b.jobs(""));
  }

  @Test
  void loadRebuildsTheIndexesFromTheStore(@TempDir Path dir) throws Exception {
    try (StateStore store = StateStore.open(dir)) {
      try (WriteBatch wb = new WriteBatch()) {
        var m = new gantry.node.raft.TestBatchMutations(wb);
        state.replay(register(spec("a", 1), 1), 1, m, new Changes());
        state.replay(register(spec("b", 2), 2), 2, m, new Changes());
        state.replay(register(spec("b", 3), 3), 3, m, new Changes());
        store.write(wb);
      }
    }
    try (StateStore store = StateStore.open(dir)) {
      ClusterState loaded = ClusterState.load(store);
      assertEquals(state.jobs(""), loaded.jobs(""));
      assertEquals(2, loaded.job("b").orElseThrow().getVersion());
    }
  }

  private static JobSpec scaled(String name) {
    JobSpec plain = spec(name, 2);
    return plain.toBuilder().setGroups(0, plain.getGroups(0).toBuilder()
        .setScaling(gantry.v1.ScalingPolicy.newBuilder().setMin(1).setMax(4).setScaleOutAbove(80).setScaleInBelow(30)))
        .build();
  }

  private static java.util.Set<String> names(java.util.List<Job> jobs) {
    return jobs.stream().map(Job::getName).collect(java.util.stream.Collectors.toSet());
  }

  @Test
  void theScaledJobsFollowTheSpecsThroughReplayPurgeAndLoad(@TempDir Path dir) throws Exception {
    try (StateStore store = StateStore.open(dir)) {
      try (WriteBatch wb = new WriteBatch()) {
        var m = new gantry.node.raft.TestBatchMutations(wb);
        state.replay(register(scaled("auto"), 1), 1, m, new Changes());
        state.replay(register(spec("fixed", 2), 2), 2, m, new Changes());
        state.replay(register(scaled("gone"), 3), 3, m, new Changes());
        state.replay(register(scaled("dropped"), 4), 4, m, new Changes());
        assertEquals(java.util.Set.of("auto", "gone", "dropped"), names(state.scaledJobs()));
        state.replay(purge("gone"), 5, m, new Changes());
        state.replay(register(spec("dropped", 2), 6), 6, m, new Changes());
        state.replay(register(scaled("fixed"), 7), 7, m, new Changes());
        store.write(wb);
      }
      assertEquals(java.util.Set.of("auto", "fixed"), names(state.scaledJobs()),
          "a purged job and one registered again without its scaling block are gone; one that gained it is in");
    }
    try (StateStore store = StateStore.open(dir)) {
      assertEquals(java.util.Set.of("auto", "fixed"), names(ClusterState.load(store).scaledJobs()));
    }
  }

  @Test
  void loadSharesWhatReplaySharedAndLosesNothing(@TempDir Path dir) throws Exception {
    try (StateStore store = StateStore.open(dir)) {
      try (WriteBatch wb = new WriteBatch()) {
        var m = new gantry.node.raft.TestBatchMutations(wb);
        state.replay(SchedulingReplayTest.node("n1", 4000, 4096), 1, m, new Changes());
        state.replay(register(spec("web", 2), 1), 2, m, new Changes());
        String eval = state.evals().getFirst().getId();
        state.replay(Record.newBuilder().setPlanApplied(gantry.v1.PlanApplied.newBuilder().setEvalId(eval)
            .setEvalStatus(gantry.v1.EvalStatus.EVAL_STATUS_COMPLETE)
            .addPlaced(SchedulingReplayTest.alloc("a1", "n1", 100, 100))
            .addPlaced(SchedulingReplayTest.alloc("a2", "n1", 100, 100))).build(), 3, m, new Changes());
        // Version 2: the running allocations stay at version 1 with version 1's group spec.
        state.replay(register(spec("web", 3), 4), 4, m, new Changes());
        store.write(wb);
      }
    }
    try (StateStore store = StateStore.open(dir)) {
      ClusterState loaded = ClusterState.load(store);
      assertEquals(state.jobs(""), loaded.jobs(""));
      assertEquals(state.versions, loaded.versions);
      assertEquals(state.allocs(), loaded.allocs());
      assertEquals(2, loaded.allocs().size());

      Job current = loaded.job("web").orElseThrow();
      assertEquals(2, current.getVersion());
      assertSame(current, loaded.versions.get("web").get(2L), "the current version is one object");
      GroupSpec v1 = loaded.versions.get("web").get(1L).getSpec().getGroups(0);
      for (var a : loaded.allocs()) {
        assertEquals(1, a.getJobVersion());
        assertSame(v1, a.getGroupSpec(), a.getId() + " holds its job version's group spec, not a copy");
      }
    }
  }

  /** A log entry as a peer applies it: parsed from its bytes, with strings of its own. */
  private static Record fromLog(Record r) throws Exception {
    return Record.parseFrom(r.toByteArray());
  }

  @Test
  void allocationsShareTheNamesTheyRepeatInReplayAndAfterALoad(@TempDir Path dir) throws Exception {
    try (StateStore store = StateStore.open(dir)) {
      try (WriteBatch wb = new WriteBatch()) {
        var m = new gantry.node.raft.TestBatchMutations(wb);
        state.replay(fromLog(SchedulingReplayTest.node("n1", 4000, 4096)), 1, m, new Changes());
        state.replay(fromLog(register(spec("web", 2), 1)), 2, m, new Changes());
        String eval = state.evals().getFirst().getId();
        // Each placement in an entry of its own, as separate plans would place them.
        for (String id : new String[] {"a1", "a2"}) {
          state.replay(fromLog(Record.newBuilder().setPlanApplied(gantry.v1.PlanApplied.newBuilder().setEvalId(eval)
              .setEvalStatus(gantry.v1.EvalStatus.EVAL_STATUS_COMPLETE)
              .addPlaced(SchedulingReplayTest.alloc(id, "n1", 100, 100).toBuilder().setNodeName("n1")
                  .addPorts(gantry.v1.AllocatedPort.newBuilder().setTask("t").setName("http").setHost(id.equals("a1") ? 8080 : 8081)))).build()),
              id.equals("a1") ? 3 : 4, m, new Changes());
          state.replay(fromLog(Record.newBuilder().setAllocationsUpdated(gantry.v1.AllocationsUpdated.newBuilder()
              .addUpdates(gantry.v1.AllocationStatusUpdate.newBuilder().setAllocationId(id)
                  .setClientStatus(gantry.v1.ClientStatus.CLIENT_STATUS_RUNNING).setDescription("all tasks running")
                  .putTasks("t", gantry.v1.TaskState.newBuilder().setState("running").setHealth("healthy").build())))
              .build()), id.equals("a1") ? 5 : 6, m, new Changes());
        }
        store.write(wb);
      }
      assertSharedNames(state);
    }
    try (StateStore store = StateStore.open(dir)) {
      ClusterState loaded = ClusterState.load(store);
      assertEquals(state.allocs().stream().sorted(java.util.Comparator.comparing(gantry.v1.Allocation::getId)).toList(),
          loaded.allocs().stream().sorted(java.util.Comparator.comparing(gantry.v1.Allocation::getId)).toList());
      assertSharedNames(loaded);
    }
  }

  private static void assertSharedNames(ClusterState s) {
    var a1 = s.alloc("a1").orElseThrow();
    var a2 = s.alloc("a2").orElseThrow();
    assertEquals("running", a2.getTasksOrThrow("t").getState(), "the status update was applied");
    assertSame(a1.getJob(), a2.getJob(), "job");
    assertSame(a1.getGroup(), a2.getGroup(), "group");
    assertSame(a1.getNodeId(), a2.getNodeId(), "node id");
    assertSame(a1.getNodeName(), a2.getNodeName(), "node name");
    assertSame(a1.getEvalId(), a2.getEvalId(), "evaluation id");
    assertSame(a1.getClientDescription(), a2.getClientDescription(), "client description");
    assertSame(a1.getTasksMap().keySet().iterator().next(), a2.getTasksMap().keySet().iterator().next(), "task name");
    assertSame(a1.getTasksOrThrow("t").getState(), a2.getTasksOrThrow("t").getState(), "task state");
    assertSame(a1.getTasksOrThrow("t").getHealth(), a2.getTasksOrThrow("t").getHealth(), "task health");
    assertSame(a1.getPorts(0).getName(), a2.getPorts(0).getName(), "port name");
  }
}
