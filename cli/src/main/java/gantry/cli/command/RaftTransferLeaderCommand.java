package gantry.cli.command;

import gantry.v1.TransferLeadershipRequest;
import gantry.v1.TransferLeadershipResponse;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code gantry operator raft transfer-leader ID}: moves the Raft leadership to a peer. */
@Command(name = "transfer-leader", mixinStandardHelpOptions = true,
    description = "Make the named manager peer the Raft leader; returns once it leads.")
public final class RaftTransferLeaderCommand implements Callable<Integer> {
  @Mixin
  ClientOptions client;

  @Parameters(index = "0", paramLabel = "ID", description = "The peer id (as in `gantry operator raft peers`).")
  String peerId;

  @Option(names = "--timeout-ms", defaultValue = "8000", description = "How long to wait for the new leader (default ${DEFAULT-VALUE}).")
  long timeoutMs;

  @Override
  public Integer call() {
    TransferLeadershipResponse response;
    try (var control = client.connect()) {
      response = control.call(stub -> stub.transferLeadership(TransferLeadershipRequest.newBuilder()
          .setPeerId(peerId).setTimeoutMs(timeoutMs).build()));
    }
    if (client.json()) {
      client.printJson(response);
    } else {
      client.out().println("leader: " + response.getLeaderId() + " (term " + response.getTerm() + ")");
    }
    return 0;
  }
}
