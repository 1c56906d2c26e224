package gantry.cli.command;

import gantry.cli.output.ServiceViews;
import gantry.v1.ListServicesRequest;
import gantry.v1.ListServicesResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code gantry service ls}. */
@Command(name = "ls", mixinStandardHelpOptions = true,
    description = "List the services jobs declare, with how many running, healthy endpoints each has now.")
public final class ServiceListCommand implements Callable<Integer> {
  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    try (var control = client.connect()) {
      ListServicesResponse r = control.callLeader(stub -> stub.listServices(ListServicesRequest.getDefaultInstance()));
      if (client.json()) {
        client.printJson(r);
      } else {
        ServiceViews.printList(client.out(), r.getServicesList());
      }
    }
    return 0;
  }
}
