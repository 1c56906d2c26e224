package gantry.cli.command;

import gantry.cli.output.DeploymentViews;
import gantry.v1.ChangeDeploymentRequest;
import gantry.v1.ChangeDeploymentResponse;
import gantry.v1.DeploymentAction;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code gantry deployment promote|fail|pause|resume ID}: one ChangeDeployment call each, then one
 * line with the status the deployment moved to and the server's description. Which action applies
 * to which status is the server's rule: a refusal is its FAILED_PRECONDITION naming the status
 * (exit 1), an unknown id NOT_FOUND (exit 1), an ambiguous or short prefix INVALID_ARGUMENT (exit 2).
 * The verbs differ only in the action they send, so each is a subclass naming it.
 */
public abstract sealed class DeploymentActionCommand implements Callable<Integer>
    permits DeploymentActionCommand.Promote, DeploymentActionCommand.Fail, DeploymentActionCommand.Pause,
        DeploymentActionCommand.Resume {
  @Parameters(index = "0", paramLabel = "ID", description = "The deployment id, or a unique prefix of at least 4 characters.")
  String id;

  @Mixin
  ClientOptions client;

  abstract DeploymentAction action();

  @Override
  public Integer call() {
    ChangeDeploymentResponse response;
    try (var control = client.connect()) {
      var request = ChangeDeploymentRequest.newBuilder().setId(id).setAction(action()).build();
      response = control.call(stub -> stub.changeDeployment(request));
    }
    if (client.json()) {
      client.printJson(response);
    } else {
      client.out().println(DeploymentViews.statusLine(response.getDeployment()));
      client.out().flush();
    }
    return 0;
  }

  @Command(name = "promote", mixinStandardHelpOptions = true,
      description = "End the canary phase of a deployment (typically blocked: every canary healthy): the roll-out"
          + " goes on to replace the old allocations.")
  public static final class Promote extends DeploymentActionCommand {
    @Override
    DeploymentAction action() {
      return DeploymentAction.DEPLOYMENT_ACTION_PROMOTE;
    }
  }

  @Command(name = "fail", mixinStandardHelpOptions = true,
      description = "Fail a deployment that has not ended: it stops replacing allocations, and with auto_revert the"
          + " newest stable version is registered again.")
  public static final class Fail extends DeploymentActionCommand {
    @Override
    DeploymentAction action() {
      return DeploymentAction.DEPLOYMENT_ACTION_FAIL;
    }
  }

  @Command(name = "pause", mixinStandardHelpOptions = true,
      description = "Pause a running deployment: no allocation is replaced until it is resumed.")
  public static final class Pause extends DeploymentActionCommand {
    @Override
    DeploymentAction action() {
      return DeploymentAction.DEPLOYMENT_ACTION_PAUSE;
    }
  }

  @Command(name = "resume", mixinStandardHelpOptions = true, description = "Resume a paused deployment.")
  public static final class Resume extends DeploymentActionCommand {
    @Override
    DeploymentAction action() {
      return DeploymentAction.DEPLOYMENT_ACTION_RESUME;
    }
  }
}
