package gantry.node.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.node.leader.LeaderAction.CollectEvals;
import gantry.node.leader.LeaderAction.Propose;
import gantry.v1.EvalStatus;
import gantry.v1.PlanApplied;
import gantry.v1.Record;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvalCollectorTest {
  final ReplayedState s = new ReplayedState();

  /** Registers {@code job} again (a new version) and finishes its evaluation at {@code timeMs}; returns its id. */
  String finished(String job, int count, long timeMs) {
    String eval = s.job(job, count);
    s.apply(Record.newBuilder().setPlanApplied(PlanApplied.newBuilder().setEvalId(eval)
        .setEvalStatus(EvalStatus.EVAL_STATUS_COMPLETE).setTimeMs(timeMs)).build());
    return eval;
  }

  /** The ids the actions propose to collect (and replays the record, as Raft would). */
  List<String> collected(List<LeaderAction> actions) {
    List<String> ids = new ArrayList<>();
    for (LeaderAction a : actions) {
      Record r = ((Propose) a).records().getFirst();
      ids.addAll(r.getEvaluationsCollected().getEvalIdsList());
      s.apply(r);
    }
    return ids;
  }

  @Test
  void collectsFinishedEvaluationsOlderThanTheThresholdOnly() {
    EvalCollector gc = new EvalCollector(Duration.ofMinutes(1));
    String old = finished("web", 1, 1_000);
    String recent = finished("web", 2, 50_000);
    String latest = finished("web", 3, 50_000);
    String pending = s.job("db", 1);

    assertEquals(List.of(old), collected(gc.check(s.state, 61_000)),
        "finished 60 s before: collected; finished 11 s before, the job's latest, or still pending: kept");
    gc.done(new CollectEvals(1), null);
    assertEquals(List.of(), gc.check(s.state, 62_000), "the next check waits for its interval");
    assertEquals(List.of(recent), collected(gc.check(s.state, 121_000)));
    gc.done(new CollectEvals(1), null);
    assertTrue(s.state.eval(latest).isPresent() && s.state.eval(pending).isPresent());
  }

  @Test
  void proposesOneRecordAtATimeOfAtMostAThousandAndGoesOnUntilDone() {
    EvalCollector gc = new EvalCollector(Duration.ofMinutes(1));
    for (int i = 0; i < 2_501; i++) finished("web", 1 + i % 2, 1_000);
    finished("web", 3, 1_000); // the latest stays

    long now = 3_600_000;
    List<Integer> sizes = new ArrayList<>();
    while (true) {
      List<LeaderAction> actions = gc.check(s.state, now);
      if (actions.isEmpty()) break;
      assertEquals(List.of(), gc.check(s.state, now), "one record in flight at a time");
      sizes.add(collected(actions).size());
      gc.done(new CollectEvals(sizes.getLast()), null);
      now += 100; // the leader's next tick
    }
    assertEquals(List.of(1_000, 1_000, 501), sizes);
    assertEquals(1, s.state.evals().size());
  }

  @Test
  void aFailedProposalIsTriedAgainAtTheNextCheck() {
    EvalCollector gc = new EvalCollector(Duration.ofSeconds(10));
    String old = finished("web", 1, 1_000);
    finished("web", 2, 1_000);
    List<LeaderAction> first = gc.check(s.state, 20_000);
    assertEquals(1, first.size());
    gc.done(new CollectEvals(1), new IllegalStateException("no longer the leader"));
    assertEquals(List.of(), gc.check(s.state, 20_100));
    assertEquals(List.of(old), collected(gc.check(s.state, 30_000)));
  }
}
