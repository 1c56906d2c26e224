package gantry.cli.command;

import gantry.cli.output.DeploymentViews;
import gantry.v1.ListDeploymentsRequest;
import gantry.v1.ListDeploymentsResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code gantry deployment ls [--job NAME]}: newest first; the filter is applied by the server. */
@Command(name = "ls", mixinStandardHelpOptions = true,
    description = {"List deployments, newest first, optionally of one job: status, canaries placed of those desired"
        + " (summed over the groups), whether promoted, the earliest progress deadline, description."})
public final class DeploymentListCommand implements Callable<Integer> {
  @Option(names = "--job", paramLabel = "NAME", description = "Only this job's deployments.")
  String job;

  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    var request = ListDeploymentsRequest.newBuilder();
    if (job != null) request.setJob(job);
    ListDeploymentsResponse response;
    try (var control = client.connect()) {
      response = control.call(stub -> stub.listDeployments(request.build()));
    }
    if (client.json()) {
      client.printJson(response);
    } else {
      DeploymentViews.printList(client.out(), response.getDeploymentsList());
    }
    return 0;
  }
}
