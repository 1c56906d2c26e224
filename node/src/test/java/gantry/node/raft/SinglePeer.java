package gantry.node.raft;

import gantry.node.config.ServerConfigLoader;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** A one-peer Raft group (real Ratis over gRPC, real RocksDB) in {@code dir}, returned once it leads. */
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
    return node;
  }
}
