package gantry.cli.command;

import gantry.v1.RevertJobRequest;
import gantry.v1.RevertJobResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code gantry job revert NAME VERSION}: the server registers VERSION's spec again as a new version;
 * then the deployment of that version is followed exactly as {@code job run} follows its own
 * ({@link DeploymentFollow}, same {@code --detach}, same exit codes). An unknown job or version is the
 * server's NOT_FOUND, whose message names which (exit 1).
 */
@Command(name = "revert", mixinStandardHelpOptions = true,
    description = {
        "Register an earlier version's spec again, as a new version (see gantry job history for the versions).",
        "Then, as job run does, follow the deployment it made: exit 0 when it succeeds or waits for"
            + " gantry deployment promote, 1 with the reason when it fails or is cancelled."})
public final class JobRevertCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "NAME", description = "The job name.")
  String name;

  @Parameters(index = "1", paramLabel = "VERSION", description = "The version whose spec to run again.")
  long version;

  @Mixin
  FollowOptions follow;

  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    if (version < 1) throw Failure.badInput("VERSION: must be a version number, 1 or more, got " + version);
    try (var control = client.connect()) {
      var request = RevertJobRequest.newBuilder().setName(name).setVersion(version).build();
      RevertJobResponse response = control.call(stub -> stub.revertJob(request));
      String newVersion = Long.toUnsignedString(response.getJob().getVersion());
      if (client.json()) {
        client.printJson(response);
      } else if (response.getChanged()) {
        client.out().printf("Job \"%s\" reverted to the spec of version %d: version %s%n", name, version, newVersion);
      } else {
        client.out().printf("Job \"%s\" unchanged: version %s already has the spec of version %d%n", name, newVersion, version);
      }
      client.out().flush();
      return new DeploymentFollow(client, control)
          .afterRegistration(follow, name, response.getJob().getVersion(), response.getChanged());
    }
  }
}
