package gantry.node.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.node.FreePorts;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A Raft server Ratis closes on its own is reported; one this peer closes is not. Real Ratis
 * over gRPC on loopback and real RocksDB, one peer. The division is closed the way Ratis' log
 * worker closes it when it fails ({@code RaftServer.Division.close()}).
 */
class ServerLossTest {
  @TempDir Path dir;

  private RaftNode startLeader() throws Exception {
    return SinglePeer.start(dir, FreePorts.next());
  }

  @Test
  void aDivisionRatisClosesIsReportedOnce() throws Exception {
    RaftNode node = startLeader();
    try {
      CompletableFuture<String> lost = new CompletableFuture<>();
      node.onServerLost(lost::complete);
      node.division().close();
      assertEquals(ServerLoss.REASON, lost.get(30, TimeUnit.SECONDS));
      CompletableFuture<String> late = new CompletableFuture<>();
      node.onServerLost(late::complete);
      assertTrue(late.isDone(), "a listener registered after the loss hears of it at once");
    } finally {
      node.close();
    }
  }

  @Test
  void closingTheNodeIsNoLoss() throws Exception {
    RaftNode node = startLeader();
    CompletableFuture<String> lost = new CompletableFuture<>();
    node.onServerLost(lost::complete);
    // close() returns after Ratis has joined the state machine updater, which closes the state
    // machine: a report would have been made by then.
    node.close();
    assertFalse(lost.isDone(), "shutting the peer down is not a loss: " + lost.getNow(""));
  }
}
