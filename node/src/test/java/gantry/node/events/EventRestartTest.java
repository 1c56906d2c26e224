package gantry.node.events;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.node.FreePorts;
import gantry.node.ManagerPeer;
import gantry.node.config.ServerConfig;
import gantry.node.config.ServerConfigLoader;
import gantry.v1.ControlServiceGrpc;
import gantry.v1.ControlServiceGrpc.ControlServiceBlockingStub;
import gantry.v1.RegisterJobRequest;
import gantry.v1.WatchEventsRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peer started again on its data directory has its state but not the events that made it (the
 * entries in its store are not replayed): asked for them, it says so first, through the real
 * load path of the state machine and RocksDB.
 */
class EventRestartTest {
  @TempDir Path dir;

  @Test
  void aRestartedPeerSaysTheEventsBeforeItsStoreAreLost() throws Exception {
    int raft = FreePorts.next();
    ServerConfig config = ServerConfigLoader.load(null, Map.of("id", "m1", "data_dir", dir.resolve("m1").toString(),
        "peers", "m1=127.0.0.1:" + raft, "grpc_addr", "127.0.0.1:" + FreePorts.next(), "http_addr", ""));
    long before;
    try (ManagerPeer peer = ManagerPeer.start(config)) {
      before = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> register(peer, "before"), i -> i > 0);
    }
    try (ManagerPeer again = ManagerPeer.start(config)) {
      ManagedChannel ch = ManagedChannelBuilder.forTarget(again.grpcAddress()).usePlaintext().build();
      try {
        long after = await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> register(again, "after"), i -> i > 0);
        EventCollector c = EventCollector.watch(ch, WatchEventsRequest.newBuilder().setIndex(1).build());
        c.await("the registration after the restart", e -> e.getKey().equals("after") && e.getType().equals("JobRegistered"));
        var lost = c.received.get(0).getLost();
        assertEquals(1, lost.getRequestedIndex());
        assertTrue(lost.getOldestIndex() > before, "nothing from the first run: " + lost);
        assertTrue(lost.getOldestIndex() <= after, lost.toString());
        assertTrue(c.events().stream().noneMatch(e -> e.getKey().equals("before")), c.events().toString());
        c.cancel();
      } finally {
        ch.shutdownNow();
      }
    }
  }

  private static long register(ManagerPeer peer, String name) {
    ManagedChannel ch = ManagedChannelBuilder.forTarget(peer.grpcAddress()).usePlaintext().build();
    try {
      ControlServiceBlockingStub stub = ControlServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS);
      return stub.registerJob(RegisterJobRequest.newBuilder().setSpec(EventStreamTest.job(name, 1)).build()).getIndex();
    } finally {
      ch.shutdownNow();
    }
  }
}
