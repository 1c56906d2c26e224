package gantry.node.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.node.store.Keys;
import gantry.v1.EvalStatus;
import gantry.v1.Evaluation;
import gantry.v1.EvaluationsCollected;
import gantry.v1.PlanApplied;
import gantry.v1.Record;
import org.junit.jupiter.api.Test;

/** Replay of the evaluation GC's record: what it deletes, from memory and from the store. */
class EvalCollectionTest extends ReplayHarness {
  /** Registers job {@code name} with {@code count}; returns its new evaluation. */
  Evaluation register(String name, int count) {
    Changes c = apply(ClusterStateTest.register(ClusterStateTest.spec(name, count), 1));
    return state.eval(c.readyEvals().iterator().next()).orElseThrow();
  }

  /** The evaluation's plan, placing nothing, finished it at {@code timeMs}. */
  Evaluation finish(Evaluation e, long timeMs) {
    apply(Record.newBuilder().setPlanApplied(PlanApplied.newBuilder().setEvalId(e.getId())
        .setEvalStatus(EvalStatus.EVAL_STATUS_COMPLETE).setTimeMs(timeMs)).build());
    return state.eval(e.getId()).orElseThrow();
  }

  static Record collect(String... ids) {
    return Record.newBuilder().setEvaluationsCollected(EvaluationsCollected.newBuilder()
        .addAllEvalIds(java.util.List.of(ids)).setTimeMs(9)).build();
  }

  @Test
  void deletesFinishedEvaluationsButNotAJobsLatestNorUnfinishedOnes() {
    Evaluation old = finish(register("web", 1), 1_000);
    assertEquals(1_000, old.getModifyTimeMs(), "the plan's time is when the evaluation finished");
    Evaluation latest = finish(register("web", 2), 2_000);
    Evaluation pending = register("db", 1);

    apply(collect(old.getId(), latest.getId(), pending.getId(), "no-such-evaluation"));

    assertTrue(outcome.getChanged());
    assertTrue(state.eval(old.getId()).isEmpty());
    assertFalse(out.kv.containsKey(Keys.eval(old.getId())), "deleted from the store too");
    assertTrue(state.eval(latest.getId()).isPresent(), "the job's latest evaluation stays: its summary shows it");
    assertEquals(latest.getId(), state.latestEval("web").orElseThrow().getId());
    assertTrue(state.eval(pending.getId()).isPresent(), "an evaluation still to run stays");
    assertTrue(out.kv.containsKey(Keys.eval(pending.getId())));

    apply(collect(latest.getId(), pending.getId()));
    assertFalse(outcome.getChanged(), "nothing it may delete: a no-op");
  }

  @Test
  void aPurgedJobsLatestEvaluationGoesAndTheNameCanBeRegisteredAgain() {
    Evaluation latest = finish(register("web", 1), 1_000);
    apply(ClusterStateTest.purge("web"));
    // A purge with no allocations left makes no evaluation of its own.
    assertEquals(latest.getId(), state.latestEval("web").orElseThrow().getId());

    apply(collect(latest.getId()));

    assertTrue(state.eval(latest.getId()).isEmpty());
    assertTrue(state.latestEval("web").isEmpty());
    Evaluation again = register("web", 3);
    assertEquals(again.getId(), state.latestEval("web").orElseThrow().getId());
  }

  @Test
  void aLoadedStateHasNoneOfTheDeletedEvaluations(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    Evaluation old = finish(register("web", 1), 1_000);
    Evaluation latest = finish(register("web", 2), 2_000);
    apply(collect(old.getId()));
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
}
