package gantry.node.metrics;

import static gantry.node.metrics.Samples.value;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ManagerMetricsTest {
  final ManagerMetrics m = new ManagerMetrics();

  @Test
  void everySeriesIsExposedAtZeroBeforeAnythingHappens() {
    String text = Samples.text(m);
    for (String family : new String[] {"gantry_raft_apply_seconds histogram", "gantry_scheduling_seconds histogram",
        "gantry_scheduler_evaluations_total counter", "gantry_scheduler_placements_total counter",
        "gantry_plan_rejections_total counter", "gantry_raft_crash_elections_total counter",
        "gantry_agent_sessions gauge"}) {
      assertTrue(text.contains("# TYPE " + family + "\n"), family + " in:\n" + text);
    }
    assertEquals(0, value(m, "gantry_scheduler_evaluations_total"));
    assertEquals(0, value(m, "gantry_scheduler_placements_total"));
    assertEquals(0, value(m, "gantry_plan_rejections_total"));
    assertEquals(0, value(m, "gantry_raft_apply_seconds_count"));
    assertEquals(0, value(m, "gantry_agent_sessions"));
    assertEquals(0, value(m, "gantry_raft_crash_elections_total"));
  }

  @Test
  void appliesAreTimedInSecondsIntoBuckets() {
    m.applied(200_000); // 0.2 ms
    m.applied(3_000_000_000L); // 3 s: beyond the last bucket
    assertEquals(2, value(m, "gantry_raft_apply_seconds_count"));
    assertEquals(3.0002, value(m, "gantry_raft_apply_seconds_sum"), 1e-9);
    assertEquals(0, value(m, "gantry_raft_apply_seconds_bucket{le=\"1.0E-4\"}"));
    assertEquals(1, value(m, "gantry_raft_apply_seconds_bucket{le=\"2.5E-4\"}"));
    assertEquals(1, value(m, "gantry_raft_apply_seconds_bucket{le=\"2.5\"}"));
    assertEquals(2, value(m, "gantry_raft_apply_seconds_bucket{le=\"+Inf\"}"));
  }

  @Test
  void eachScheduledEvaluationIsCountedAndTimed() {
    m.scheduled(1_000_000);
    m.scheduled(4_000_000);
    assertEquals(2, value(m, "gantry_scheduler_evaluations_total"));
    assertEquals(2, value(m, "gantry_scheduling_seconds_count"));
    assertEquals(0.005, value(m, "gantry_scheduling_seconds_sum"), 1e-12);
  }

  @Test
  void placementsRejectionsAndSessions() {
    m.placed(3);
    m.placed(0);
    m.planRejected();
    m.crashElection();
    m.agentSessions(4);
    m.agentSessions(1);
    assertEquals(3, value(m, "gantry_scheduler_placements_total"));
    assertEquals(1, value(m, "gantry_plan_rejections_total"));
    assertEquals(1, value(m, "gantry_raft_crash_elections_total"));
    assertEquals(1, value(m, "gantry_agent_sessions"), "a gauge: the latest count, not a sum");
  }
}
