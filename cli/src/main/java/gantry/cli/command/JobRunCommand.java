package gantry.cli.command;

import gantry.spec.JobSpecParser;
import gantry.v1.RegisterJobRequest;
import gantry.v1.RegisterJobResponse;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code gantry job run FILE}: parse locally (bad files never reach the server), register, then
 * (without --detach) follow the deployment the registration made, if it made one ({@link DeploymentFollow}).
 */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {
        "Register a job from a spec file (YAML or JSON).",
        "Registering an unchanged spec is a no-op. When the registration made a deployment (some group has an"
            + " update policy), this follows it, redrawing the counts in place on a terminal and printing each change"
            + " otherwise: exit 0 when it succeeds or when its canaries are healthy and it waits for"
            + " gantry deployment promote (the command is printed), 1 with the reason when it fails or is cancelled."
            + " A paused deployment is followed until it is resumed. Otherwise it returns once the job is registered."})
public final class JobRunCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "FILE", description = "The job spec.")
  Path file;

  @Mixin
  FollowOptions follow;

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
      return new DeploymentFollow(client, control)
          .afterRegistration(follow, name, response.getJob().getVersion(), response.getChanged());
    }
  }
}
