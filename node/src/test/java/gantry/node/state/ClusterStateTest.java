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
}
