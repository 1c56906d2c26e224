package gantry.cli.command;

import gantry.client.ControlClient;
import gantry.client.NoManagerReachableException;
import gantry.cli.output.DeploymentViews;
import gantry.cli.output.ProgressDisplay;
import gantry.v1.Deployment;
import gantry.v1.DeploymentStatus;
import gantry.v1.GetDeploymentRequest;
import gantry.v1.ListDeploymentsRequest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Follows one deployment for {@code gantry job run} and {@code job revert}: polls GetDeployment every
 * interval and tells the display, until the deployment ends or waits for an operator. The
 * deployment is the server's to move; leaving the watch (Ctrl-C) does not stop it.
 *
 * <p>The watch goes on while the deployment is running or paused (an operator may resume it), and
 * through a blocked one whose canaries the managers promote themselves (auto_promote). It stops at
 * successful, failed, cancelled, and at a blocked deployment that waits for {@code gantry deployment
 * promote}.
 *
 * <p>A poll that reaches no manager (every address UNAVAILABLE or past its deadline, as while the
 * managers elect a new leader) is retried every interval for up to {@link #UNREACHABLE_LIMIT} since
 * the first failure in a row; any answer ends the streak. Other errors (NOT_FOUND...) end the watch
 * at once: they will not pass by waiting.
 */
final class DeploymentWatch {
  /** How long polls may fail in a row before the watch gives up: a leader election takes about a second. */
  static final Duration UNREACHABLE_LIMIT = Duration.ofSeconds(30);

  /** Waits between polls: {@code Thread.sleep} for the command, a step of a fake clock in tests. */
  @FunctionalInterface
  interface Pause {
    void sleep(Duration d) throws InterruptedException;
  }

  private final ControlClient control;
  private final Duration interval;
  private final Pause pause;
  private final Clock clock;

  DeploymentWatch(ControlClient control, Duration interval, Pause pause, Clock clock) {
    this.control = control;
    this.interval = interval;
    this.pause = pause;
    this.clock = clock;
  }

  /**
   * The deployment a registration made for {@code version} of {@code job}, if any: a spec without
   * an update policy makes none.
   */
  Optional<Deployment> find(String job, long version, ProgressDisplay display) {
    var subject = new Subject("looking for the deployment of job \"" + job + "\"",
        "the job is registered (gantry deployment ls --job " + job + ")");
    var list = retrying(subject, display,
        () -> control.call(stub -> stub.listDeployments(ListDeploymentsRequest.newBuilder().setJob(job).build())));
    return list.getDeploymentsList().stream().filter(d -> d.getJobVersion() == version).findFirst();
  }

  /** Polls until the deployment stops the watch (see the class comment) and returns its last state. */
  Deployment await(Deployment first, ProgressDisplay display) {
    String id = first.getId();
    String shortId = DeploymentViews.shortId(id);
    var subject = new Subject("watching deployment " + shortId, "it goes on (gantry deployment status " + shortId + ")");
    Deployment d = first;
    while (goesOn(d)) {
      display.show(d, false);
      sleep(subject);
      d = retrying(subject, display,
          () -> control.call(stub -> stub.getDeployment(GetDeploymentRequest.newBuilder().setId(id).build())).getDeployment());
    }
    display.show(d, true);
    return d;
  }

  /** Whether the watch polls again after seeing {@code d}. */
  static boolean goesOn(Deployment d) {
    return d.getStatus() == DeploymentStatus.DEPLOYMENT_STATUS_RUNNING
        || d.getStatus() == DeploymentStatus.DEPLOYMENT_STATUS_PAUSED
        || DeploymentViews.promotesItself(d);
  }

  private <T> T retrying(Subject subject, ProgressDisplay display, Supplier<T> call) {
    Instant since = null;
    while (true) {
      try {
        return call.get();
      } catch (NoManagerReachableException e) {
        Instant now = clock.instant();
        if (since == null) since = now;
        if (Duration.between(since, now).compareTo(UNREACHABLE_LIMIT) >= 0) {
          throw Failure.failed("gave up " + subject.doing() + ": no manager answered for " + UNREACHABLE_LIMIT.toSeconds()
              + " s (" + e.getMessage() + "); " + subject.aftermath());
        }
        display.unreachable("Waiting for the managers (retrying for up to " + UNREACHABLE_LIMIT.toSeconds() + " s): "
            + e.getMessage());
        sleep(subject);
      }
    }
  }

  private void sleep(Subject subject) {
    try {
      pause.sleep(interval);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Failure.failed("interrupted while " + subject.doing() + "; " + subject.aftermath());
    }
  }

  /** What the watch was doing and what stays true when it stops early, for the one line the user reads then. */
  private record Subject(String doing, String aftermath) {}
}
