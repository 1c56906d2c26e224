package gantry.cli.command;

import gantry.cli.output.ServiceViews;
import gantry.v1.GetServiceEndpointsRequest;
import gantry.v1.ServiceEndpoints;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code gantry service endpoints NAME}. */
@Command(name = "endpoints", mixinStandardHelpOptions = true,
    description = {"List a service's endpoints: its running allocations that pass their check, on ready nodes.",
        "WEIGHT is r_i (node CPU capacity in millicores, the spec's weight, or the node's free CPU for"
            + " weight: headroom); SHARE is r_i / sum r_j, what a weighted gantry:/// client sends each."})
public final class ServiceEndpointsCommand implements Callable<Integer> {
  @Mixin
  ClientOptions client;

  @Parameters(index = "0", paramLabel = "NAME", description = "The service's name.")
  String name;

  @Override
  public Integer call() {
    try (var control = client.connect()) {
      ServiceEndpoints r = control.callLeader(
          stub -> stub.getServiceEndpoints(GetServiceEndpointsRequest.newBuilder().setName(name).build()));
      if (client.json()) {
        client.printJson(r);
      } else {
        ServiceViews.printEndpoints(client.out(), r);
      }
    }
    return 0;
  }
}
