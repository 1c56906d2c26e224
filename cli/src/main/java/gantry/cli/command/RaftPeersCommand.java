package gantry.cli.command;

import gantry.cli.output.PeerViews;
import gantry.v1.ListPeersRequest;
import gantry.v1.ListPeersResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code gantry operator raft peers}. */
@Command(name = "peers", mixinStandardHelpOptions = true, description = "List the manager peers and which one leads.")
public final class RaftPeersCommand implements Callable<Integer> {
  @Mixin
  ClientOptions client;

  @Override
  public Integer call() {
    ListPeersResponse response;
    try (var control = client.connect()) {
      response = control.call(stub -> stub.listPeers(ListPeersRequest.getDefaultInstance()));
    }
    if (client.json()) {
      client.printJson(response);
    } else {
      PeerViews.printPeers(client.out(), response.getPeersList());
    }
    return 0;
  }
}
