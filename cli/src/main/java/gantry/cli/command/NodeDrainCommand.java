package gantry.cli.command;

import gantry.v1.DrainNodeRequest;
import gantry.v1.DrainNodeResponse;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gantry node drain NAME [--disable]}. */
@Command(name = "drain", mixinStandardHelpOptions = true,
    description = {"Drain a node: it gets no new allocations and its allocations move to other nodes.",
        "With --disable the node becomes eligible again (allocations that moved stay where they are)."})
public final class NodeDrainCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "NAME", description = "The node's name or id.")
  String node;

  @Option(names = "--disable", description = "Stop draining the node.")
  boolean disable;

  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    DrainNodeResponse response;
    try (var control = client.connect()) {
      var request = DrainNodeRequest.newBuilder().setNode(node).setDrain(!disable).build();
      response = control.call(stub -> stub.drainNode(request));
    } catch (StatusRuntimeException e) {
      // The same words whatever the server's wording, like `job "x" not found`.
      throw e.getStatus().getCode() == Status.Code.NOT_FOUND ? Failure.failed("node \"" + node + "\" not found") : e;
    }
    if (client.json()) {
      client.printJson(response);
    } else {
      // The name the user knows, even when they gave an id.
      String name = response.getNode().getName().isEmpty() ? node : response.getNode().getName();
      client.out().printf("Node \"%s\" %s%n", name, disable ? "no longer draining" : "draining");
      client.out().flush();
    }
    return 0;
  }
}
