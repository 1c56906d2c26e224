package gantry.node.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.node.state.DeploymentMachine.Cancel;
import gantry.node.state.DeploymentMachine.Counted;
import gantry.node.state.DeploymentMachine.DeadlinePassed;
import gantry.node.state.DeploymentMachine.Event;
import gantry.node.state.DeploymentMachine.Fail;
import gantry.node.state.DeploymentMachine.GroupCount;
import gantry.node.state.DeploymentMachine.Pause;
import gantry.node.state.DeploymentMachine.Promote;
import gantry.node.state.DeploymentMachine.Resume;
import gantry.node.state.DeploymentMachine.Step;
import gantry.v1.Deployment;
import gantry.v1.DeploymentGroup;
import gantry.v1.DeploymentStatus;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link DeploymentMachine}'s transition table, one row per case, on a deployment of one group of 3. */
class DeploymentMachineTest {
  static final DeploymentStatus RUNNING = DeploymentStatus.DEPLOYMENT_STATUS_RUNNING;
  static final DeploymentStatus PAUSED = DeploymentStatus.DEPLOYMENT_STATUS_PAUSED;
  static final DeploymentStatus BLOCKED = DeploymentStatus.DEPLOYMENT_STATUS_BLOCKED;
  static final DeploymentStatus FAILED = DeploymentStatus.DEPLOYMENT_STATUS_FAILED;
  static final DeploymentStatus SUCCESSFUL = DeploymentStatus.DEPLOYMENT_STATUS_SUCCESSFUL;
  static final DeploymentStatus CANCELLED = DeploymentStatus.DEPLOYMENT_STATUS_CANCELLED;
  static final long DEADLINE = 600_000;

  /** A deployment of group g (3 desired) in {@code status}; {@code canaries} wanted, promoted or not. */
  static Deployment deployment(DeploymentStatus status, int canaries, boolean promoted, boolean autoPromote,
      boolean autoRevert, int healthy, int healthyCanaries) {
    return Deployment.newBuilder().setId("d1234567890").setJob("web").setJobVersion(2).setStatus(status)
        .putGroups("g", DeploymentGroup.newBuilder().setDesired(3).setDesiredCanaries(canaries).setPromoted(promoted)
            .setAutoPromote(autoPromote).setAutoRevert(autoRevert).setHealthy(healthy).setPlaced(healthy)
            .setPlacedCanaries(healthyCanaries).setHealthyCanaries(healthyCanaries)
            .setProgressDeadlineMs(DEADLINE).setRequireProgressByMs(1_000 + DEADLINE).build())
        .build();
  }

  static Deployment rolling(DeploymentStatus status, int healthy) {
    return deployment(status, 0, true, false, true, healthy, 0);
  }

  static Deployment canary(DeploymentStatus status, boolean promoted, boolean autoPromote, int healthyCanaries) {
    return deployment(status, 1, promoted, autoPromote, false, healthyCanaries, healthyCanaries);
  }

  static Counted counted(int healthy, int unhealthy, int healthyCanaries, String firstUnhealthy) {
    return new Counted(Map.of("g", new GroupCount(healthy + unhealthy, healthy, unhealthy, healthyCanaries, healthyCanaries)),
        firstUnhealthy, 5_000);
  }

  static DeadlinePassed deadlineSeen(long seen, long now) {
    return new DeadlinePassed(Map.of("g", seen), now);
  }

  /**
   * name, deployment, event, status after it, stable, revert, evaluate, refused (a part of the
   * refusal, or "").
   */
  static Stream<Arguments> table() {
    String unhealthy = "allocation b1 unhealthy: task t: exit code 1";
    return Stream.of(
        Arguments.of("running, an allocation unhealthy -> failed, reverts", rolling(RUNNING, 1),
            counted(1, 1, 0, unhealthy), FAILED, false, true, false, ""),
        Arguments.of("running, canaries healthy, manual promotion -> blocked", canary(RUNNING, false, false, 0),
            counted(1, 0, 1, ""), BLOCKED, false, false, false, ""),
        Arguments.of("running, canaries healthy, auto_promote -> running, promoted", canary(RUNNING, false, true, 0),
            counted(1, 0, 1, ""), RUNNING, false, false, true, ""),
        Arguments.of("running, promoted, every allocation healthy -> successful", rolling(RUNNING, 2),
            counted(3, 0, 0, ""), SUCCESSFUL, true, false, false, ""),
        Arguments.of("running, not all healthy yet -> running", rolling(RUNNING, 1),
            counted(2, 0, 0, ""), RUNNING, false, false, false, ""),
        Arguments.of("blocked, counted again -> blocked", canary(BLOCKED, false, false, 1),
            counted(1, 0, 1, ""), BLOCKED, false, false, false, ""),
        Arguments.of("paused, an allocation unhealthy -> failed", rolling(PAUSED, 1),
            counted(1, 1, 0, unhealthy), FAILED, false, true, false, ""),
        Arguments.of("paused, all healthy -> stays paused", rolling(PAUSED, 2),
            counted(3, 0, 0, ""), PAUSED, false, false, false, ""),
        Arguments.of("blocked, promote -> running, evaluate", canary(BLOCKED, false, false, 1),
            new Promote(5_000), RUNNING, false, false, true, ""),
        Arguments.of("running, promote before the canary is healthy -> refused", canary(RUNNING, false, false, 0),
            new Promote(5_000), RUNNING, false, false, false, "0 of 1 canaries healthy"),
        Arguments.of("running, promote without canaries -> refused", rolling(RUNNING, 1),
            new Promote(5_000), RUNNING, false, false, false, "no canaries waiting"),
        Arguments.of("paused, promote -> refused (resume first)", canary(PAUSED, false, false, 0),
            new Promote(5_000), PAUSED, false, false, false, "is paused: resume it first"),
        Arguments.of("running, pause -> paused", rolling(RUNNING, 1),
            new Pause(5_000), PAUSED, false, false, false, ""),
        Arguments.of("blocked, pause -> paused", canary(BLOCKED, false, false, 1),
            new Pause(5_000), PAUSED, false, false, false, ""),
        Arguments.of("paused, pause -> refused", rolling(PAUSED, 1),
            new Pause(5_000), PAUSED, false, false, false, "already paused"),
        Arguments.of("paused, resume -> running, evaluate", rolling(PAUSED, 1),
            new Resume(5_000), RUNNING, false, false, true, ""),
        Arguments.of("paused with healthy canaries, resume -> blocked again", canary(PAUSED, false, false, 1),
            new Resume(5_000), BLOCKED, false, false, true, ""),
        Arguments.of("running, resume -> refused", rolling(RUNNING, 1),
            new Resume(5_000), RUNNING, false, false, false, "not paused"),
        Arguments.of("running, fail -> failed, reverts", rolling(RUNNING, 1),
            new Fail(5_000), FAILED, false, true, false, ""),
        Arguments.of("blocked, fail -> failed (no auto_revert)", canary(BLOCKED, false, false, 1),
            new Fail(5_000), FAILED, false, false, false, ""),
        Arguments.of("running, the deadline seen passed -> failed", rolling(RUNNING, 1),
            deadlineSeen(1_000 + DEADLINE, 2_000 + DEADLINE), FAILED, false, true, false, ""),
        Arguments.of("running, progress since the deadline seen -> running", rolling(RUNNING, 1),
            deadlineSeen(500, 2_000 + DEADLINE), RUNNING, false, false, false, ""),
        Arguments.of("blocked, the deadline passed -> blocked (waits for a person)", canary(BLOCKED, false, false, 1),
            deadlineSeen(1_000 + DEADLINE, 2_000 + DEADLINE), BLOCKED, false, false, false, ""),
        Arguments.of("running, cancel -> cancelled", rolling(RUNNING, 1),
            new Cancel("superseded by version 3", 5_000), CANCELLED, false, false, false, ""),
        Arguments.of("successful, promote -> refused (ended)", rolling(SUCCESSFUL, 3),
            new Promote(5_000), SUCCESSFUL, false, false, false, "has ended"),
        Arguments.of("failed, counted -> unchanged", rolling(FAILED, 1),
            counted(3, 0, 0, ""), FAILED, false, false, false, ""));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void transition(String name, Deployment d, Event e, DeploymentStatus next, boolean stable, boolean revert, boolean evaluate,
      String refused) {
    Step step = DeploymentMachine.apply(d, e);
    assertEquals(next, step.deployment().getStatus(), "status");
    assertEquals(stable, step.stable(), "stable");
    assertEquals(revert, step.revert(), "revert");
    assertEquals(evaluate, step.evaluate(), "evaluate");
    if (refused.isEmpty()) {
      assertEquals("", step.refused());
    } else {
      assertTrue(step.refused().contains(refused), step.refused());
      assertSame(d, step.deployment(), "a refusal changes nothing");
    }
  }

  @Test
  void aFailureSaysWhyAndAPersonCanActOnIt() {
    Step unhealthy = DeploymentMachine.apply(rolling(RUNNING, 1), counted(1, 1, 0, "allocation b1 unhealthy: task t: exit code 1"));
    assertEquals("allocation b1 unhealthy: task t: exit code 1", unhealthy.deployment().getStatusDescription());
    Step deadline = DeploymentMachine.apply(rolling(RUNNING, 1), deadlineSeen(1_000 + DEADLINE, 2_000 + DEADLINE));
    assertEquals("group g: no allocation became healthy within progress_deadline 10m (1 of 3 healthy, 1 placed)",
        deadline.deployment().getStatusDescription());
    Step blocked = DeploymentMachine.apply(canary(RUNNING, false, false, 0), counted(1, 0, 1, ""));
    assertEquals("1 of 1 canaries healthy: promote with `gantry deployment promote d1234567`",
        blocked.deployment().getStatusDescription());
  }

  @Test
  void aNewlyHealthyAllocationMovesTheProgressDeadlineOn() {
    Deployment d = rolling(RUNNING, 1);
    Step more = DeploymentMachine.apply(d, counted(2, 0, 0, ""));
    assertEquals(5_000 + DEADLINE, more.deployment().getGroupsOrThrow("g").getRequireProgressByMs());
    Step same = DeploymentMachine.apply(d, counted(1, 0, 0, ""));
    assertEquals(1_000 + DEADLINE, same.deployment().getGroupsOrThrow("g").getRequireProgressByMs(), "no progress, same deadline");
  }

  @Test
  void theWatcherSeesOnlyRunningGroupsStillWaiting() {
    assertEquals(Map.of("g", 1_000 + DEADLINE), DeploymentMachine.deadlinesPassed(rolling(RUNNING, 1), 1_000 + DEADLINE));
    assertEquals(Map.of(), DeploymentMachine.deadlinesPassed(rolling(RUNNING, 1), DEADLINE), "not yet");
    assertEquals(Map.of(), DeploymentMachine.deadlinesPassed(rolling(RUNNING, 3), 2_000 + DEADLINE), "the group is done");
    for (Deployment d : List.of(rolling(PAUSED, 1), canary(BLOCKED, false, false, 1))) {
      assertEquals(Map.of(), DeploymentMachine.deadlinesPassed(d, 2_000 + DEADLINE), d.getStatus().name());
    }
  }
}
