package gantry.cli.command;

import gantry.client.ControlClient;
import gantry.cli.output.PeerViews;
import gantry.v1.Peer;
import java.time.Duration;
import java.util.List;
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
    gantry.client.ManagerCredentials credentials;
    try (var control = client.connect()) {
      response = control.call(stub -> stub.listPeers(ListPeersRequest.getDefaultInstance()));
      credentials = control.credentials();
    }
    response = withSelfReports(response, credentials);
    if (client.json()) {
      client.printJson(response);
    } else {
      PeerViews.printPeers(client.out(), response.getPeersList());
    }
    return 0;
  }

  /**
   * Each peer's own word on itself: only a diverged peer knows it diverged (it left the Raft
   * group, so the others see a silent member). A peer that does not answer is shown unreachable.
   */
  private static ListPeersResponse withSelfReports(ListPeersResponse listed, gantry.client.ManagerCredentials credentials) {
    ListPeersResponse.Builder out = ListPeersResponse.newBuilder();
    for (Peer p : listed.getPeersList()) {
      if (p.getGrpcAddress().isEmpty()) {
        out.addPeers(p);
        continue;
      }
      try (var one = new ControlClient(List.of(p.getGrpcAddress()), Duration.ofSeconds(2), credentials)) {
        Peer self = one.call(stub -> stub.listPeers(ListPeersRequest.getDefaultInstance())).getPeersList().stream()
            .filter(q -> q.getId().equals(p.getId())).findFirst().orElse(p);
        out.addPeers(self.getRole().equals("diverged")
            ? p.toBuilder().setLeader(false).setRole("diverged").setProblem(self.getProblem()).build() : p);
      } catch (RuntimeException e) {
        out.addPeers(p.getLeader() ? p : p.toBuilder().setRole("unreachable").build());
      }
    }
    return out.build();
  }
}
