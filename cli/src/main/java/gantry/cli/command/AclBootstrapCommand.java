package gantry.cli.command;

import gantry.v1.BootstrapAclRequest;
import gantry.v1.BootstrapAclResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code gantry acl bootstrap}: the first management token, once per cluster. */
@Command(name = "bootstrap", mixinStandardHelpOptions = true,
    description = {"Create the first management token (allowed once). Prints its accessor and secret:",
        "keep the secret; it is shown this once and no manager stores it."})
public final class AclBootstrapCommand implements Callable<Integer> {
  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    BootstrapAclResponse response;
    try (var control = client.connect()) {
      response = control.call(stub -> stub.bootstrapAcl(BootstrapAclRequest.getDefaultInstance()));
    }
    if (client.json()) {
      client.printJson(response);
    } else {
      client.out().printf("Accessor: %s%nSecret:   %s%n", response.getToken().getAccessorId(), response.getSecret());
      client.out().flush();
    }
    return 0;
  }
}
