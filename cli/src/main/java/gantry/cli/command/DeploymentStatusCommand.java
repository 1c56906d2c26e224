package gantry.cli.command;

import gantry.cli.output.DeploymentViews;
import gantry.v1.GetDeploymentRequest;
import gantry.v1.GetDeploymentResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code gantry deployment status ID}: the server resolves a prefix; it answers NOT_FOUND (exit 1)
 * or, for a prefix shorter than 4 characters or matching several, INVALID_ARGUMENT (exit 2).
 */
@Command(name = "status", mixinStandardHelpOptions = true,
    description = {"Show a deployment: its status, why, the command that moves it on when it waits for an operator, and per"
        + " group the desired, placed, healthy and unhealthy allocations, the canaries placed of those desired, whether"
        + " promoted, and the time by which one more allocation must be healthy (PROGRESS_BY)."})
public final class DeploymentStatusCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "ID", description = "The deployment id, or a unique prefix of at least 4 characters.")
  String id;

  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    GetDeploymentResponse response;
    try (var control = client.connect()) {
      response = control.call(stub -> stub.getDeployment(GetDeploymentRequest.newBuilder().setId(id).build()));
    }
    if (client.json()) {
      client.printJson(response);
    } else {
      DeploymentViews.printStatus(client.out(), response.getDeployment());
    }
    return 0;
  }
}
