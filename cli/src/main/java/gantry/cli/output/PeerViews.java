package gantry.cli.output;

import gantry.v1.Peer;
import java.io.PrintWriter;
import java.util.List;

/** Human views of the manager peers. */
public final class PeerViews {
  private PeerViews() {}

  public static void printPeers(PrintWriter out, List<Peer> peers) {
    // ROLE is lower-case "leader" only on the leader's row, so `| grep -q leader` tells a script
    // that an election has finished.
    var table = new Table("ID", "RAFT_ADDRESS", "GRPC_ADDRESS", "LEADER", "ROLE");
    for (Peer peer : peers) {
      String role = !peer.getRole().isEmpty() ? peer.getRole() : peer.getLeader() ? "leader" : "-";
      table.row(peer.getId(), orDash(peer.getRaftAddress()), orDash(peer.getGrpcAddress()), peer.getLeader(), role);
    }
    table.print(out);
    for (Peer peer : peers) {
      if (!peer.getProblem().isEmpty()) out.println(peer.getId() + ": " + peer.getRole() + ": " + peer.getProblem());
    }
  }

  private static String orDash(String s) {
    return s.isEmpty() ? "-" : s;
  }
}
