package gantry.node.state;

import gantry.v1.Deployment;
import gantry.v1.DeploymentGroup;
import gantry.v1.DeploymentStatus;
import java.time.Duration;
import java.util.Map;

/**
 * The deployment state machine: what an event does to a deployment. Pure: no state, no clock
 * (times come in the events, from the records), so every peer's replay agrees and the table
 * below is tested row by row ({@code DeploymentMachineTest}). {@link DeploymentReplay} counts,
 * stores and carries out the step (stable version, revert, evaluation).
 *
 * <pre>
 * status            event                                  next status           effects
 * RUNNING           counted: an allocation unhealthy         FAILED (its reason)   revert*
 * RUNNING           counted: canaries pending, all healthy   BLOCKED               -
 *                     and some group without auto_promote
 * RUNNING           counted: canaries pending, all healthy,  RUNNING               promoted, evaluate
 *                     every such group auto_promote
 * RUNNING           counted: promoted, every group has       SUCCESSFUL            stable
 *                     desired healthy
 * RUNNING|BLOCKED   counted: otherwise                       (unchanged)           -
 * PAUSED            counted: an allocation unhealthy         FAILED                revert*
 * PAUSED            counted: otherwise                       PAUSED                -
 * RUNNING|BLOCKED   promote, every canary healthy            RUNNING               promoted, evaluate
 * RUNNING|BLOCKED   promote, a canary not healthy yet        refused
 * PAUSED            promote                                  refused (resume first)
 * any active        promote, no canaries pending             refused
 * RUNNING|BLOCKED   pause                                    PAUSED                -
 * PAUSED            resume                                   as counted            evaluate
 * any active        fail                                     FAILED (by operator)  revert*
 * RUNNING           progress deadline, unchanged since seen  FAILED (no progress)  revert*
 *                     and passed, in a group not done
 * any active        cancel (superseded, job stopped)         CANCELLED             -
 * ended             any                                      refused / ignored
 * </pre>
 *
 * (*) revert: with auto_revert in a group of the deployment, the newest stable version is
 * registered again. Every count that shows a group more healthy allocations than before moves
 * its progress deadline on to {@code time + progress_deadline}; promote and resume do too.
 */
public final class DeploymentMachine {
  private DeploymentMachine() {}

  /**
   * What one group's allocations of the deployment's version show now; {@code desired} is the
   * group's new desired count (a system group: the nodes it runs on), or -1 to keep it.
   */
  record GroupCount(int placed, int healthy, int unhealthy, int placedCanaries, int healthyCanaries, int desired) {
    GroupCount(int placed, int healthy, int unhealthy, int placedCanaries, int healthyCanaries) {
      this(placed, healthy, unhealthy, placedCanaries, healthyCanaries, -1);
    }
  }

  /** Something that happened to a deployment. */
  sealed interface Event {
    long timeMs();
  }

  /**
   * Allocations were placed, updated in place or had their health decided: the counts now.
   *
   * @param firstUnhealthy what a person reads for the first unhealthy allocation, or ""
   */
  record Counted(Map<String, GroupCount> groups, String firstUnhealthy, long timeMs) implements Event {}

  record Promote(long timeMs) implements Event {}

  record Fail(long timeMs) implements Event {}

  record Pause(long timeMs) implements Event {}

  record Resume(long timeMs) implements Event {}

  /** The leader's watcher saw these groups' {@code require_progress_by} pass. */
  record DeadlinePassed(Map<String, Long> seen, long timeMs) implements Event {}

  record Cancel(String why, long timeMs) implements Event {}

  /**
   * The outcome of an event.
   *
   * @param deployment the deployment after it (the same object when nothing changed)
   * @param stable the deployment's job version became stable
   * @param revert the deployment failed and a group has auto_revert
   * @param evaluate the scheduler has something new to do (promoted, resumed)
   * @param refused why an operator's action does not apply, or ""
   */
  record Step(Deployment deployment, boolean stable, boolean revert, boolean evaluate, String refused) {
    static Step unchanged(Deployment d) {
      return new Step(d, false, false, false, "");
    }

    static Step refuse(Deployment d, String why) {
      return new Step(d, false, false, false, why);
    }
  }

  /** Running, paused or blocked: not ended. At most one deployment of a job is active. */
  static boolean isActive(DeploymentStatus s) {
    return s == DeploymentStatus.DEPLOYMENT_STATUS_RUNNING || s == DeploymentStatus.DEPLOYMENT_STATUS_PAUSED
        || s == DeploymentStatus.DEPLOYMENT_STATUS_BLOCKED;
  }

  private static boolean inCanaryPhase(DeploymentGroup g) {
    return gantry.scheduler.reconcile.RollingUpdate.inCanaryPhase(g);
  }

  static Step apply(Deployment d, Event e) {
    DeploymentStatus s = d.getStatus();
    if (!isActive(s)) {
      return e instanceof Counted || e instanceof DeadlinePassed || e instanceof Cancel ? Step.unchanged(d)
          : Step.refuse(d, "deployment " + shortId(d) + " is " + name(s) + ": it has ended");
    }
    return switch (e) {
      case Counted c -> counted(d, c);
      case Promote p -> promote(d, p.timeMs());
      case Fail f -> fail(d, "failed by an operator", f.timeMs());
      case Pause p -> s == DeploymentStatus.DEPLOYMENT_STATUS_PAUSED
          ? Step.refuse(d, "deployment " + shortId(d) + " is already paused")
          : changed(d.toBuilder().setStatus(DeploymentStatus.DEPLOYMENT_STATUS_PAUSED)
              .setStatusDescription("paused by an operator: resume with `gantry deployment resume " + shortId(d) + "`").build());
      case Resume r -> s != DeploymentStatus.DEPLOYMENT_STATUS_PAUSED
          ? Step.refuse(d, "deployment " + shortId(d) + " is " + name(s) + ", not paused")
          : resume(d, r.timeMs());
      case DeadlinePassed p -> deadline(d, p);
      case Cancel c -> changed(d.toBuilder().setStatus(DeploymentStatus.DEPLOYMENT_STATUS_CANCELLED)
          .setStatusDescription("cancelled: " + c.why()).build());
    };
  }

  private static Step counted(Deployment d, Counted c) {
    Deployment.Builder b = d.toBuilder();
    for (var e : d.getGroupsMap().entrySet()) {
      GroupCount n = c.groups().getOrDefault(e.getKey(), new GroupCount(0, 0, 0, 0, 0));
      DeploymentGroup g = e.getValue();
      DeploymentGroup.Builder gb = g.toBuilder().setPlaced(n.placed()).setHealthy(n.healthy())
          .setUnhealthy(n.unhealthy()).setPlacedCanaries(n.placedCanaries()).setHealthyCanaries(n.healthyCanaries());
      if (n.desired() >= 0) gb.setDesired(n.desired());
      if (n.healthy() > g.getHealthy()) gb.setRequireProgressByMs(progressBy(g, c.timeMs()));
      b.putGroups(e.getKey(), gb.build());
    }
    if (!c.firstUnhealthy().isEmpty()) return fail(b.build(), c.firstUnhealthy(), c.timeMs());
    if (d.getStatus() == DeploymentStatus.DEPLOYMENT_STATUS_PAUSED) return changedIfDiffers(d, b.build());
    return settle(d, b, c.timeMs());
  }

  /** RUNNING or BLOCKED with fresh counts: blocked, promoted automatically, successful or running. */
  private static Step settle(Deployment before, Deployment.Builder b, long timeMs) {
    boolean canaryPhase = false;
    boolean canariesHealthy = true;
    boolean autoPromote = true;
    boolean allHealthy = true;
    int canaries = 0;
    for (var e : b.getGroupsMap().entrySet()) {
      DeploymentGroup g = e.getValue();
      if (inCanaryPhase(g)) {
        canaryPhase = true;
        canaries += g.getDesiredCanaries();
        if (g.getHealthyCanaries() < g.getDesiredCanaries()) canariesHealthy = false;
        if (!g.getAutoPromote()) autoPromote = false;
      }
      if (g.getHealthy() < g.getDesired()) allHealthy = false;
    }
    if (canaryPhase && canariesHealthy && autoPromote) {
      promoteGroups(b, timeMs);
      b.setStatus(DeploymentStatus.DEPLOYMENT_STATUS_RUNNING).setStatusDescription("canaries healthy: promoted automatically");
      return new Step(b.build(), false, false, true, "");
    }
    if (canaryPhase && canariesHealthy) {
      b.setStatus(DeploymentStatus.DEPLOYMENT_STATUS_BLOCKED).setStatusDescription(canaries + " of " + canaries
          + " canaries healthy: promote with `gantry deployment promote " + shortId(before) + "`");
      return changedIfDiffers(before, b.build());
    }
    if (!canaryPhase && allHealthy) {
      b.setStatus(DeploymentStatus.DEPLOYMENT_STATUS_SUCCESSFUL).setStatusDescription("deployment completed: every allocation healthy");
      return new Step(b.build(), true, false, false, "");
    }
    if (b.getStatus() != DeploymentStatus.DEPLOYMENT_STATUS_RUNNING) {
      b.setStatus(DeploymentStatus.DEPLOYMENT_STATUS_RUNNING).setStatusDescription("deployment is running");
    }
    return changedIfDiffers(before, b.build());
  }

  private static Step promote(Deployment d, long timeMs) {
    StringBuilder notHealthy = new StringBuilder();
    boolean pending = false;
    for (var e : d.getGroupsMap().entrySet()) {
      DeploymentGroup g = e.getValue();
      if (!inCanaryPhase(g)) continue;
      pending = true;
      if (g.getHealthyCanaries() < g.getDesiredCanaries()) {
        notHealthy.append(notHealthy.isEmpty() ? "" : "; ").append("group ").append(e.getKey()).append(": ")
            .append(g.getHealthyCanaries()).append(" of ").append(g.getDesiredCanaries()).append(" canaries healthy");
      }
    }
    if (!pending) return Step.refuse(d, "deployment " + shortId(d) + " has no canaries waiting for promotion");
    if (d.getStatus() == DeploymentStatus.DEPLOYMENT_STATUS_PAUSED) {
      return Step.refuse(d, "deployment " + shortId(d) + " is paused: resume it first");
    }
    if (!notHealthy.isEmpty()) return Step.refuse(d, "cannot promote deployment " + shortId(d) + " yet: " + notHealthy);
    Deployment.Builder b = d.toBuilder();
    promoteGroups(b, timeMs);
    b.setStatus(DeploymentStatus.DEPLOYMENT_STATUS_RUNNING).setStatusDescription("promoted: rolling out to every allocation");
    return new Step(b.build(), false, false, true, "");
  }

  private static void promoteGroups(Deployment.Builder b, long timeMs) {
    for (var e : Map.copyOf(b.getGroupsMap()).entrySet()) {
      DeploymentGroup g = e.getValue();
      if (inCanaryPhase(g)) b.putGroups(e.getKey(), g.toBuilder().setPromoted(true).setRequireProgressByMs(progressBy(g, timeMs)).build());
    }
  }

  private static Step resume(Deployment d, long timeMs) {
    Deployment.Builder b = d.toBuilder().setStatus(DeploymentStatus.DEPLOYMENT_STATUS_RUNNING)
        .setStatusDescription("resumed by an operator");
    for (var e : d.getGroupsMap().entrySet()) {
      DeploymentGroup g = e.getValue();
      b.putGroups(e.getKey(), g.toBuilder().setRequireProgressByMs(progressBy(g, timeMs)).build());
    }
    Step settled = settle(d, b, timeMs);
    return new Step(settled.deployment(), settled.stable(), false, true, "");
  }

  /**
   * The groups of a running deployment whose progress deadline has passed at {@code nowMs} while
   * they still wait for healthy allocations (or canaries), with that deadline: what the leader's
   * watcher reports in a DeploymentChanged record. A paused or blocked deployment has none.
   */
  public static Map<String, Long> deadlinesPassed(Deployment d, long nowMs) {
    Map<String, Long> passed = new java.util.TreeMap<>();
    if (d.getStatus() != DeploymentStatus.DEPLOYMENT_STATUS_RUNNING) return passed;
    for (var e : d.getGroupsMap().entrySet()) {
      DeploymentGroup g = e.getValue();
      boolean done = !inCanaryPhase(g) && g.getHealthy() >= g.getDesired();
      if (!done && g.getRequireProgressByMs() > 0 && nowMs >= g.getRequireProgressByMs()) {
        passed.put(e.getKey(), g.getRequireProgressByMs());
      }
    }
    return passed;
  }

  private static Step deadline(Deployment d, DeadlinePassed p) {
    for (var e : deadlinesPassed(d, p.timeMs()).entrySet()) {
      // Only the deadline the watcher saw counts: progress made since then moved it on.
      if (!e.getValue().equals(p.seen().get(e.getKey()))) continue;
      DeploymentGroup g = d.getGroupsMap().get(e.getKey());
      return fail(d, "group " + e.getKey() + ": no allocation became healthy within progress_deadline "
          + Duration.ofMillis(g.getProgressDeadlineMs()).toString().substring(2).toLowerCase()
          + " (" + g.getHealthy() + " of " + g.getDesired() + " healthy, " + g.getPlaced() + " placed)", p.timeMs());
    }
    return Step.unchanged(d);
  }

  private static Step fail(Deployment d, String why, long timeMs) {
    boolean revert = d.getGroupsMap().values().stream().anyMatch(DeploymentGroup::getAutoRevert);
    Deployment failed = d.toBuilder().setStatus(DeploymentStatus.DEPLOYMENT_STATUS_FAILED).setStatusDescription(why).build();
    return new Step(failed, false, revert, false, "");
  }

  /** The group's next progress deadline from {@code timeMs}, or 0 without one. */
  static long progressBy(DeploymentGroup g, long timeMs) {
    return g.getProgressDeadlineMs() > 0 ? timeMs + g.getProgressDeadlineMs() : 0;
  }

  private static Step changed(Deployment d) {
    return new Step(d, false, false, false, "");
  }

  private static Step changedIfDiffers(Deployment before, Deployment after) {
    return after.equals(before) ? Step.unchanged(before) : changed(after);
  }

  static String shortId(Deployment d) {
    return d.getId().length() > 8 ? d.getId().substring(0, 8) : d.getId();
  }

  private static String name(DeploymentStatus s) {
    return s.name().substring("DEPLOYMENT_STATUS_".length()).toLowerCase();
  }
}
