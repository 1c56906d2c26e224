package gantry.node.raft;

import gantry.node.config.ServerConfigLoader;
import gantry.v1.GetStateDigestRequest;
import gantry.v1.StateQuery;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A one-peer Raft group (real Ratis over gRPC, real RocksDB) in {@code dir}, returned once it
 * leads and is ready: Ratis names a peer leader before it has committed an entry of its term, and
 * until then refuses requests (LeaderNotReadyException), which made RepeatedRequestTest fail
 * under load right after a restart.
 */
public final class SinglePeer {
  private SinglePeer() {}

  /** Starts (or starts again, on the same {@code dir} and {@code raftPort}) peer m1. */
  public static RaftNode start(Path dir, int raftPort) throws Exception {
    RaftNode node = RaftNode.start(ServerConfigLoader.load(null, Map.of(
        "id", "m1", "data_dir", dir.resolve("m1").toString(), "peers", "m1=127.0.0.1:" + raftPort,
        "grpc_addr", "127.0.0.1:0", "http_addr", "")));
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!node.isLeader()) {
      if (System.nanoTime() > end) throw new AssertionError("a single peer did not elect itself within 30 s");
      Thread.sleep(20);
    }
    // A linearizable read needs the leader ready (its read index is a commit of its own term).
    StateQuery ready = StateQuery.newBuilder().setDigest(GetStateDigestRequest.getDefaultInstance()).build();
    while (true) {
      try {
        node.read(ready).get(5, TimeUnit.SECONDS);
        return node;
      } catch (ExecutionException | TimeoutException notReady) {
        if (System.nanoTime() > end) throw new AssertionError("a single peer leads but was not ready within 30 s", notReady);
        Thread.sleep(20);
      }
    }
  }
}
