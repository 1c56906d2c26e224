package gantry.node.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.node.leader.LeaderAction.CollectGarbage;
import gantry.node.leader.LeaderAction.Propose;
import gantry.v1.ClientStatus;
import gantry.v1.EvalStatus;
import gantry.v1.PlanApplied;
import gantry.v1.Record;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StateGcTest {
  final ReplayedState s = new ReplayedState();

  /** Registers {@code job} again (a new version) and finishes its evaluation at {@code timeMs}; returns its id. */
  String finished(String job, int count, long timeMs) {
    String eval = s.job(job, count);
    s.apply(Record.newBuilder().setPlanApplied(PlanApplied.newBuilder().setEvalId(eval)
        .setEvalStatus(EvalStatus.EVAL_STATUS_COMPLETE).setTimeMs(timeMs)).build());
    return eval;
  }

  /** The ids the actions propose to collect, evaluations then allocations (and replays the record, as Raft would). */
  List<String> collected(List<LeaderAction> actions) {
    List<String> ids = new ArrayList<>();
    for (LeaderAction a : actions) {
      Record r = ((Propose) a).records().getFirst();
      ids.addAll(r.getGarbageCollected().getEvalIdsList());
      ids.addAll(r.getGarbageCollected().getAllocIdsList());
      s.apply(r);
    }
    return ids;
  }

  @Test
  void collectsFinishedEvaluationsOlderThanTheThresholdOnly() {
    StateGc gc = new StateGc(Duration.ofMinutes(1));
    String old = finished("web", 1, 1_000);
    String recent = finished("web", 2, 50_000);
    String latest = finished("web", 3, 50_000);
    String pending = s.job("db", 1);

    assertEquals(List.of(old), collected(gc.check(s.state, 61_000)),
        "finished 60 s before: collected; finished 11 s before, the job's latest, or still pending: kept");
    gc.done(new CollectGarbage(1, 0), null);
    assertEquals(List.of(), gc.check(s.state, 62_000), "the next check waits for its interval");
    assertEquals(List.of(recent), collected(gc.check(s.state, 121_000)));
    gc.done(new CollectGarbage(1, 0), null);
    assertTrue(s.state.eval(latest).isPresent() && s.state.eval(pending).isPresent());
  }

  @Test
  void proposesOneRecordAtATimeOfAtMostAThousandAndGoesOnUntilDone() {
    StateGc gc = new StateGc(Duration.ofMinutes(1));
    for (int i = 0; i < 2_501; i++) finished("web", 1 + i % 2, 1_000);
    finished("web", 3, 1_000); // the latest stays

    long now = 3_600_000;
    List<Integer> sizes = new ArrayList<>();
    while (true) {
      List<LeaderAction> actions = gc.check(s.state, now);
      if (actions.isEmpty()) break;
      assertEquals(List.of(), gc.check(s.state, now), "one record in flight at a time");
      sizes.add(collected(actions).size());
      gc.done(new CollectGarbage(sizes.getLast(), 0), null);
      now += 100; // the leader's next tick
    }
    assertEquals(List.of(1_000, 1_000, 501), sizes);
    assertEquals(1, s.state.evals().size());
  }

  @Test
  void aFailedProposalIsTriedAgainAtTheNextCheck() {
    StateGc gc = new StateGc(Duration.ofSeconds(10));
    String old = finished("web", 1, 1_000);
    finished("web", 2, 1_000);
    List<LeaderAction> first = gc.check(s.state, 20_000);
    assertEquals(1, first.size());
    gc.done(new CollectGarbage(1, 0), new IllegalStateException("no longer the leader"));
    assertEquals(List.of(), gc.check(s.state, 20_100));
    assertEquals(List.of(old), collected(gc.check(s.state, 30_000)));
  }

  @Test
  void anAllocationIsCollectedAThresholdAfterACheckFirstFoundItFinished() {
    StateGc gc = new StateGc(Duration.ofMinutes(1));
    s.node("n1", 4000, 4096);
    String eval = s.job("web", 1);
    s.place(eval, ReplayedState.alloc("a1", "web", "n1", 100));
    s.stop(eval, "a1");
    s.report("a1", ClientStatus.CLIENT_STATUS_COMPLETE);

    assertEquals(List.of(), collected(gc.check(s.state, 10_000_000)),
        "the allocation's finish time is not replicated: this leader starts counting now");
    assertEquals(List.of(), collected(gc.check(s.state, 10_030_000)));
    assertEquals(List.of("a1"), collected(gc.check(s.state, 10_060_000)));
    gc.done(new CollectGarbage(0, 1), null);
    assertTrue(s.state.alloc("a1").isEmpty());

    String again = s.job("api", 1);
    s.place(again, ReplayedState.alloc("a2", "api", "n1", 100));
    s.stop(again, "a2");
    s.report("a2", ClientStatus.CLIENT_STATUS_COMPLETE);
    gc.reset();
    assertEquals(List.of(), collected(gc.check(s.state, 10_120_000)), "a new leadership counts afresh");
    assertEquals(List.of("a2"), collected(gc.check(s.state, 10_180_000)));
  }
}
