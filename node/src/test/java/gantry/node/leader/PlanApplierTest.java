package gantry.node.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.node.leader.LeaderAction.PlanCommit;
import gantry.node.leader.LeaderAction.Propose;
import gantry.node.metrics.ManagerMetrics;
import gantry.node.metrics.Samples;
import gantry.scheduler.AllocUpdate;
import gantry.scheduler.Plan;
import gantry.v1.Allocation;
import gantry.v1.EvalStatus;
import gantry.v1.Evaluation;
import gantry.v1.PlanApplied;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Harness: the plan applier against the scheduling view over replayed state; no Raft. */
class PlanApplierTest {
  final ReplayedState s = new ReplayedState().node("n1", 1000, 1000);
  final SchedulingView view = new SchedulingView(() -> s.state, () -> s.index);
  final ManagerMetrics metrics = new ManagerMetrics();
  final PlanApplier applier = new PlanApplier(view, new PipelineStats(metrics));

  static Evaluation eval(String id, String job) {
    return Evaluation.newBuilder().setId(id).setJob(job).setStatus(EvalStatus.EVAL_STATUS_PENDING).build();
  }

  static Plan plan(String eval, String job, List<Allocation> placed, List<AllocUpdate> stops) {
    return new Plan(eval, job, 0, placed, stops, Map.of(), 0);
  }

  static PlanApplied record(Propose p) {
    return p.records().getFirst().getPlanApplied();
  }

  @Test
  void aPlanInFlightCountsAgainstTheNextAndAFailedOneLeavesTheView() {
    s.job("a", 1);
    s.job("b", 1);
    Propose first = applier.apply(eval("ea", "a"), plan("ea", "a", List.of(ReplayedState.alloc("x", "a", "n1", 600)), List.of()), 5);
    assertEquals(1, record(first).getPlacedCount());
    Plan second = plan("eb", "b", List.of(ReplayedState.alloc("y", "b", "n1", 600)), List.of());
    PlanApplied refused = record(applier.apply(eval("eb", "b"), second, 6));
    assertEquals(0, refused.getPlacedCount(), "x, accepted and not yet committed, holds 600 of n1's 1000");
    assertEquals("plan-rejected", refused.getFollowUps(0).getTriggeredBy());
    applier.done((PlanCommit) first.tag(), new RuntimeException("proposal failed"));
    assertEquals(1, record(applier.apply(eval("eb", "b"), second, 7)).getPlacedCount(),
        "x's proposal failed: it no longer holds room");
    assertEquals(1, Samples.value(metrics, "gantry_plan_rejections_total"), "eb's first plan was refused");
    assertEquals(0, Samples.value(metrics, "gantry_scheduler_placements_total"), "nothing committed yet");
  }

  @Test
  void placementsCountWhenTheirPlanCommits() {
    s.job("a", 2);
    Propose p = applier.apply(eval("ea", "a"), plan("ea", "a",
        List.of(ReplayedState.alloc("x", "a", "n1", 100), ReplayedState.alloc("y", "a", "n1", 100)), List.of()), 5);
    assertEquals(0, Samples.value(metrics, "gantry_scheduler_placements_total"), "proposed, not committed");
    applier.done((PlanCommit) p.tag(), null);
    assertEquals(2, Samples.value(metrics, "gantry_scheduler_placements_total"));
    assertEquals(0, Samples.value(metrics, "gantry_plan_rejections_total"));
  }

  @Test
  void aStopCarriesTheReplacementItMakesRoomFor() {
    String e = s.job("a", 1);
    s.place(e, ReplayedState.alloc("old", "a", "n1", 600));
    Plan p = plan("e2", "a", List.of(ReplayedState.alloc("new", "a", "n1", 600)),
        List.of(AllocUpdate.stop("old", "n1", "updated", "new")));
    PlanApplied r = record(applier.apply(eval("e2", "a"), p, 9));
    assertEquals(1, r.getPlacedCount(), "the stop frees the room on the same node");
    assertEquals("new", r.getStops(0).getReplacedBy());
    assertTrue(r.getFollowUpsList().isEmpty());
  }
}
