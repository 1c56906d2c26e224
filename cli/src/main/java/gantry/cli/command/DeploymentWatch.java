package gantry.cli.command;

import gantry.cli.client.ControlClient;
import gantry.cli.output.DeploymentViews;
import gantry.v1.Deployment;
import gantry.v1.DeploymentGroup;
import gantry.v1.DeploymentStatus;
import gantry.v1.GetDeploymentRequest;
import gantry.v1.ListDeploymentsRequest;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Follows one deployment until it ends, for {@code gantry job run}: polls GetDeployment every
 * interval and prints a progress line for each group whose counts changed since the last poll.
 * The deployment is the server's to move; leaving the watch (Ctrl-C) does not stop it.
 */
final class DeploymentWatch {
  /** Waits between polls: {@code Thread.sleep} for the command; the clock stays out of this class. */
  @FunctionalInterface
  interface Pause {
    void sleep(Duration d) throws InterruptedException;
  }

  private final ControlClient control;
  private final Duration interval;
  private final Pause pause;

  DeploymentWatch(ControlClient control, Duration interval, Pause pause) {
    this.control = control;
    this.interval = interval;
    this.pause = pause;
  }

  /**
   * The deployment a registration made for {@code version} of {@code job}, if any: a spec without
   * an update policy makes none.
   */
  Optional<Deployment> find(String job, long version) {
    var list = control.call(stub -> stub.listDeployments(ListDeploymentsRequest.newBuilder().setJob(job).build()));
    return list.getDeploymentsList().stream().filter(d -> d.getJobVersion() == version).findFirst();
  }

  /**
   * Polls until the deployment is no longer running and returns its last state.
   *
   * @param out where the progress lines go, or null for none (--json)
   */
  Deployment await(Deployment first, PrintWriter out) {
    Map<String, DeploymentGroup> shown = new HashMap<>();
    Deployment d = first;
    while (true) {
      if (out != null) {
        for (var e : DeploymentViews.groups(d).entrySet()) {
          if (!e.getValue().equals(shown.put(e.getKey(), e.getValue()))) {
            out.println(DeploymentViews.progress(e.getKey(), e.getValue()));
          }
        }
        out.flush();
      }
      if (d.getStatus() != DeploymentStatus.DEPLOYMENT_STATUS_RUNNING) return d;
      try {
        pause.sleep(interval);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw Failure.failed("interrupted while watching deployment " + DeploymentViews.shortId(first.getId())
            + "; it goes on (gantry deployment status " + DeploymentViews.shortId(first.getId()) + ")");
      }
      String id = first.getId();
      d = control.call(stub -> stub.getDeployment(GetDeploymentRequest.newBuilder().setId(id).build())).getDeployment();
    }
  }
}
