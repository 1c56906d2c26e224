package gantry.node.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.Deployment;
import gantry.v1.DeploymentAction;
import gantry.v1.DeploymentChanged;
import gantry.v1.DeploymentGroup;
import gantry.v1.DeploymentStatus;
import gantry.v1.JobReverted;
import gantry.v1.JobSpec;
import gantry.v1.Record;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Deployments moved by records other than health reports: canaries wanted at registration, an
 * operator's promote / pause / resume / fail, the leader's progress deadline, job revert. Replay
 * on the real {@link ClusterState}; the transitions themselves are {@code DeploymentMachineTest}'s.
 */
class DeploymentRecordsTest extends DeploymentHarness {
  static JobSpec canary(String image, int count, int canaries, long progressDeadlineMs) {
    return canary(image, count, canaries, progressDeadlineMs, false);
  }

  static JobSpec canary(String image, int count, int canaries, long progressDeadlineMs, boolean autoRevert) {
    JobSpec s = rolling(image, count, autoRevert);
    return s.toBuilder().setGroups(0, s.getGroups(0).toBuilder().setUpdate(s.getGroups(0).getUpdate().toBuilder()
        .setCanary(canaries).setProgressDeadlineMs(progressDeadlineMs))).build();
  }

  Record change(DeploymentAction action, long timeMs) {
    return Record.newBuilder().setDeploymentChanged(DeploymentChanged.newBuilder().setId(latest().getId())
        .setAction(action).setTimeMs(timeMs)).build();
  }

  @Test
  void canariesAreWantedOnlyWhenTheTasksChanged() {
    apply(SchedulingReplayTest.node("n1", 1000, 1024));
    registerAndPlace(canary("img:1", 3, 1, 0), "a1", "a2", "a3");
    assertEquals(0, latest().getGroupsOrThrow("g").getDesiredCanaries(), "a first version replaces nothing");
    registerAndPlace(canary("img:1", 4, 1, 0));
    assertEquals(0, latest().getGroupsOrThrow("g").getDesiredCanaries(), "a count change is made in place");
    registerAndPlace(canary("img:2", 4, 1, 0));
    DeploymentGroup g = latest().getGroupsOrThrow("g");
    assertEquals(1, g.getDesiredCanaries(), "a new image");
    assertFalse(g.getPromoted());
  }

  @Test
  void aHealthyCanaryBlocksTheDeploymentUntilAnOperatorPromotesIt() {
    apply(SchedulingReplayTest.node("n1", 1000, 1024));
    registerAndPlace(canary("img:1", 2, 1, 0), "a1", "a2");
    health("a1", "healthy", "ok");
    health("a2", "healthy", "ok");
    registerAndPlace(canary("img:2", 2, 1, 0));
    apply(change(DeploymentAction.DEPLOYMENT_ACTION_PROMOTE, 5_000));
    assertEquals("FAILED_PRECONDITION", outcome.getErrorCode());
    assertTrue(outcome.getErrorMessage().contains("0 of 1 canaries healthy"), outcome.getErrorMessage());

    placeCanary("c1");
    health("c1", "healthy", "ok");
    Deployment blocked = latest();
    assertEquals(DeploymentStatus.DEPLOYMENT_STATUS_BLOCKED, blocked.getStatus());
    assertEquals(1, blocked.getGroupsOrThrow("g").getHealthyCanaries());

    Changes promoted = apply(change(DeploymentAction.DEPLOYMENT_ACTION_PROMOTE, 6_000));
    assertEquals("", outcome.getErrorCode());
    assertEquals(DeploymentStatus.DEPLOYMENT_STATUS_RUNNING, outcome.getDeployment().getStatus());
    assertTrue(latest().getGroupsOrThrow("g").getPromoted());
    assertEquals(1, promoted.readyEvals().size(), "the scheduler goes on with the roll-out");
  }

  @Test
  void pauseAndResumeAreRefusedWhereTheyDoNotApply() {
    apply(SchedulingReplayTest.node("n1", 1000, 1024));
    registerAndPlace(rolling("img:1", 2, false), "a1", "a2");
    apply(change(DeploymentAction.DEPLOYMENT_ACTION_RESUME, 5_000));
    assertEquals("FAILED_PRECONDITION", outcome.getErrorCode());
    apply(change(DeploymentAction.DEPLOYMENT_ACTION_PAUSE, 5_000));
    assertEquals(DeploymentStatus.DEPLOYMENT_STATUS_PAUSED, latest().getStatus());
    Changes resumed = apply(change(DeploymentAction.DEPLOYMENT_ACTION_RESUME, 6_000));
    assertEquals(DeploymentStatus.DEPLOYMENT_STATUS_RUNNING, latest().getStatus());
    assertEquals(1, resumed.readyEvals().size());
  }

  @Test
  void theProgressDeadlineFailsARollOutThatStalledAndRevertsIt() {
    apply(SchedulingReplayTest.node("n1", 1000, 1024));
    JobSpec v1 = rolling("img:1", 1, true);
    registerAndPlace(v1, "a1");
    health("a1", "healthy", "ok");
    registerAndPlace(canary("nope:1", 1, 0, 120_000, true));
    Deployment stalled = latest();
    long deadline = stalled.getGroupsOrThrow("g").getRequireProgressByMs();
    assertTrue(deadline > 0);
    apply(Record.newBuilder().setDeploymentChanged(DeploymentChanged.newBuilder().setId(stalled.getId())
        .setAction(DeploymentAction.DEPLOYMENT_ACTION_PROGRESS_DEADLINE).setTimeMs(deadline + 1)
        .putAllDeadlinesMs(Map.of("g", deadline))).build());
    Deployment failed = state.deployment(stalled.getId()).orElseThrow();
    assertEquals(DeploymentStatus.DEPLOYMENT_STATUS_FAILED, failed.getStatus());
    assertTrue(failed.getStatusDescription().startsWith("group g: no allocation became healthy within progress_deadline 2m"),
        failed.getStatusDescription());
    assertEquals("img:1", state.job("web").orElseThrow().getSpec().getGroups(0).getTasks(0).getImage(), "reverted");
  }

  @Test
  void jobRevertRegistersAnEarlierVersionAgain() {
    apply(SchedulingReplayTest.node("n1", 1000, 1024));
    registerAndPlace(rolling("img:1", 1, false), "a1");
    registerAndPlace(rolling("img:2", 1, false));
    apply(Record.newBuilder().setJobReverted(JobReverted.newBuilder().setName("web").setVersion(1).setTimeMs(9_000)).build());
    assertEquals(3, outcome.getJob().getVersion());
    assertEquals("img:1", outcome.getJob().getSpec().getGroups(0).getTasks(0).getImage());
    apply(Record.newBuilder().setJobReverted(JobReverted.newBuilder().setName("web").setVersion(7).setTimeMs(9_000)).build());
    assertEquals("NOT_FOUND", outcome.getErrorCode());
    assertEquals("version: job \"web\" has no version 7 (it has versions 1, 2, 3; the GC keeps the newest 6 and the newest "
        + "stable one)", outcome.getErrorMessage());
  }
}
