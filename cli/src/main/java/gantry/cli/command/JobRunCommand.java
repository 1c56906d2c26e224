package gantry.cli.command;

import gantry.cli.output.DeploymentViews;
import gantry.spec.JobSpecParser;
import gantry.v1.Deployment;
import gantry.v1.DeploymentStatus;
import gantry.v1.RegisterJobRequest;
import gantry.v1.RegisterJobResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code gantry job run FILE}: parse locally (bad files never reach the server), register, then
 * (without --detach) follow the deployment the registration made, if it made one.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {
        "Register a job from a spec file (YAML or JSON).",
        "Registering an unchanged spec is a no-op. When the registration made a deployment (some group has an"
            + " update policy), this waits for it, printing each change of the counts: exit 0 when it succeeds,"
            + " 1 with the reason when it fails or is cancelled. Otherwise it returns once the job is registered."})
public final class JobRunCommand implements Callable<Integer> {
  private static final Duration POLL = Duration.ofMillis(500);

  @Parameters(index = "0", paramLabel = "FILE", description = "The job spec.")
  Path file;

  @Option(names = "--detach", description = "Return once the job is registered, without waiting for the deployment"
      + " (which goes on; see gantry deployment status).")
  boolean detach;

  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    var spec = JobSpecParser.parseFile(file);
    try (var control = client.connect()) {
      RegisterJobResponse response =
          control.call(stub -> stub.registerJob(RegisterJobRequest.newBuilder().setSpec(spec).build()));
      String name = response.getJob().getName().isEmpty() ? spec.getName() : response.getJob().getName();
      if (client.json()) {
        // One document, printed at once; the exit code (and stderr) tell how the deployment ended.
        client.printJson(response);
      } else {
        client.out().printf("Job \"%s\" %s: version %s%n", name, response.getChanged() ? "registered" : "unchanged",
            Long.toUnsignedString(response.getJob().getVersion()));
        client.out().flush();
      }
      if (detach || !response.getChanged()) return 0;
      var watch = new DeploymentWatch(control, POLL, d -> Thread.sleep(d));
      var deployment = watch.find(name, response.getJob().getVersion());
      if (deployment.isEmpty()) return 0;
      if (!client.json()) {
        client.out().printf("Watching deployment %s of version %s (Ctrl-C stops watching, not the deployment)%n",
            DeploymentViews.shortId(deployment.get().getId()), Long.toUnsignedString(deployment.get().getJobVersion()));
      }
      return finish(watch.await(deployment.get(), client.json() ? null : client.out()));
    }
  }

  private int finish(Deployment d) {
    String id = DeploymentViews.shortId(d.getId());
    if (d.getStatus() != DeploymentStatus.DEPLOYMENT_STATUS_SUCCESSFUL) {
      throw Failure.failed("Deployment " + id + " " + DeploymentViews.status(d.getStatus()) + ": " + d.getStatusDescription());
    }
    if (!client.json()) {
      client.out().println("Deployment " + id + " successful");
      client.out().flush();
    }
    return 0;
  }
}
