package gantry.cli.command;

import gantry.client.ControlClient;
import gantry.cli.output.DeploymentViews;
import gantry.cli.output.ProgressDisplay;
import gantry.cli.output.Terminal;
import gantry.v1.Deployment;
import java.time.Clock;
import java.time.Duration;

/**
 * What {@code job run} and {@code job revert} do once they registered a version: find the
 * deployment it made (if any), follow it with a {@link DeploymentWatch} and turn how it stopped into
 * the exit code. 0 when it succeeded, and when it is blocked: every canary is healthy and it waits
 * for an operator to promote it, which is not a failure (the command to run is printed). A failed or
 * cancelled deployment throws a {@link Failure} (exit 1) carrying the server's description.
 */
final class DeploymentFollow {
  private static final Duration POLL = Duration.ofMillis(500);

  private final ClientOptions client;
  private final ControlClient control;

  DeploymentFollow(ClientOptions client, ControlClient control) {
    this.client = client;
    this.control = control;
  }

  /**
   * Follows the deployment of {@code version} of {@code job} unless the user detached or the
   * registration changed nothing (then there is no new deployment to follow).
   *
   * @return the exit code
   */
  int afterRegistration(FollowOptions options, String job, long version, boolean changed) {
    if (options.detach() || !changed) return 0;
    var watch = new DeploymentWatch(control, POLL, Thread::sleep, Clock.systemUTC());
    // Before there is a frame to redraw, a wait for the managers is said in plain lines.
    var deployment = watch.find(job, version, display(false));
    if (deployment.isEmpty()) return 0;
    if (!client.json()) {
      client.out().printf("Watching deployment %s of version %s (Ctrl-C stops watching, not the deployment)%n",
          DeploymentViews.shortId(deployment.get().getId()), Long.toUnsignedString(deployment.get().getJobVersion()));
      client.out().flush();
    }
    return outcome(watch.await(deployment.get(), display(Terminal.stdoutIsTerminal())));
  }

  private ProgressDisplay display(boolean terminal) {
    return client.json() ? ProgressDisplay.silent() : ProgressDisplay.of(client.out(), terminal);
  }

  private int outcome(Deployment d) {
    String id = DeploymentViews.shortId(d.getId());
    switch (d.getStatus()) {
      case DEPLOYMENT_STATUS_SUCCESSFUL -> {
        if (!client.json()) {
          client.out().println("Deployment " + id + " successful");
          client.out().flush();
        }
        return 0;
      }
      case DEPLOYMENT_STATUS_BLOCKED -> {
        // With --json stdout holds one document: the operator's next step goes to stderr.
        var to = client.json() ? client.err() : client.out();
        to.println("Deployment " + id + " blocked: every canary is healthy; the roll-out waits for promotion");
        to.println("Promote it with: " + DeploymentViews.nextCommand(d).orElseThrow());
        to.flush();
        return 0;
      }
      default -> throw Failure.failed("Deployment " + id + " " + DeploymentViews.status(d.getStatus()) + ": "
          + d.getStatusDescription());
    }
  }
}
