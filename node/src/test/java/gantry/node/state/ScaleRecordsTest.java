package gantry.node.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.Deployment;
import gantry.v1.DeploymentStatus;
import gantry.v1.Job;
import gantry.v1.JobScaled;
import gantry.v1.JobSpec;
import gantry.v1.Record;
import gantry.v1.ScaleMark;
import gantry.v1.ScalingPolicy;
import org.junit.jupiter.api.Test;

/**
 * Count changes by a user and by the autoscaler: the version they make says why, the group's
 * last change (where cooldowns start) outlives later registrations, a stale decision is refused,
 * a user stays inside the scaling block's bounds, and a scale in the middle of a roll-out moves
 * the deployment on instead of cancelling it.
 */
class ScaleRecordsTest extends DeploymentHarness {
  static Record scale(int count, long timeMs, boolean autoscaler, Integer expected) {
    JobScaled.Builder b = JobScaled.newBuilder().setName("web").setGroup("g").setCount(count).setTimeMs(timeMs)
        .setAutoscaler(autoscaler).setReason(autoscaler ? "cpu 93% > 80% for 30s" : "");
    if (expected != null) b.setExpectedCount(expected);
    return Record.newBuilder().setJobScaled(b).build();
  }

  static JobSpec scaled(int count, int min, int max) {
    JobSpec s = ClusterStateTest.spec("web", count);
    return s.toBuilder().setGroups(0, s.getGroups(0).toBuilder()
        .setScaling(ScalingPolicy.newBuilder().setMin(min).setMax(max).setScaleOutAbove(80).setScaleInBelow(30))).build();
  }

  @Test
  void aDecisionIsAVersionWithItsReasonAndMarksTheGroup() {
    apply(ClusterStateTest.register(scaled(2, 1, 5), 1_000));
    apply(scale(3, 2_000, true, 2));
    Job job = state.job("web").orElseThrow();
    assertEquals(2, job.getVersion());
    assertEquals(3, job.getSpec().getGroups(0).getCount());
    assertEquals("autoscaler: cpu 93% > 80% for 30s: group g 2 -> 3", job.getVersionReason());
    ScaleMark mark = job.getLastScaleOrThrow("g");
    assertTrue(mark.getAutoscaler());
    assertEquals(2_000, mark.getTimeMs());
    assertEquals(2, mark.getFrom());
    assertEquals(3, mark.getTo());

    apply(ClusterStateTest.register(scaled(3, 1, 6), 3_000));
    Job later = state.job("web").orElseThrow();
    assertEquals("", later.getVersionReason(), "a registration is no scale");
    assertEquals(mark, later.getLastScaleOrThrow("g"), "the cooldown still starts at the last scale");
  }

  @Test
  void aDecisionMadeFromAnotherCountIsRefusedAndChangesNothing() {
    apply(ClusterStateTest.register(scaled(2, 1, 5), 1_000));
    apply(scale(4, 2_000, false, null));
    apply(scale(3, 2_500, true, 2));
    assertEquals("FAILED_PRECONDITION", outcome.getErrorCode());
    assertTrue(outcome.getErrorMessage().contains("has 4 replicas now, not 2"), outcome.getErrorMessage());
    Job job = state.job("web").orElseThrow();
    assertEquals(4, job.getSpec().getGroups(0).getCount());
    assertFalse(job.getLastScaleOrThrow("g").getAutoscaler(), "the user's scale is the last one");
    assertEquals("scaled by a user: group g 2 -> 4", job.getVersionReason());
  }

  @Test
  void aUserScalesAnAutoscaledGroupOnlyWithinItsBounds() {
    apply(ClusterStateTest.register(scaled(2, 1, 5), 1_000));
    apply(scale(6, 2_000, false, null));
    assertEquals("INVALID_ARGUMENT", outcome.getErrorCode());
    assertEquals("count: group \"g\" is autoscaled within 1..5 (its scaling block), got 6", outcome.getErrorMessage());
    assertEquals(1, state.job("web").orElseThrow().getVersion());
  }

  @Test
  void aScaleDuringARollOutChangesTheDeploymentsCountAndKeepsItGoing() {
    apply(SchedulingReplayTest.node("n1", 1000, 1024));
    registerAndPlace(DeploymentRecordsTest.canary("img:1", 2, 1, 0), "a1", "a2");
    health("a1", "healthy", "ok");
    health("a2", "healthy", "ok");
    registerAndPlace(DeploymentRecordsTest.canary("img:2", 2, 1, 0));
    Deployment before = latest();
    assertEquals(1, before.getGroupsOrThrow("g").getDesiredCanaries());

    apply(scale(4, 9_000, false, null));
    Deployment after = latest();
    assertEquals(before.getId(), after.getId(), "the same deployment");
    assertEquals(DeploymentStatus.DEPLOYMENT_STATUS_RUNNING, after.getStatus());
    assertEquals(state.job("web").orElseThrow().getVersion(), after.getJobVersion());
    assertEquals(4, after.getGroupsOrThrow("g").getDesired());
    assertEquals(1, after.getGroupsOrThrow("g").getDesiredCanaries(), "still in its canary phase");
    assertFalse(after.getGroupsOrThrow("g").getPromoted());
  }
}
