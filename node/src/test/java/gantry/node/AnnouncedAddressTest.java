package gantry.node;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import gantry.node.config.ServerConfig;
import gantry.node.config.ServerConfigLoader;
import gantry.v1.ControlServiceGrpc;
import gantry.v1.GetLeaderRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A manager whose gRPC server binds every interface announces an address others can dial (its
 * Raft address's host), not 0.0.0.0: that is what agents and clients are sent to as the leader.
 */
class AnnouncedAddressTest {
  @TempDir Path dir;

  @Test
  void aWildcardBindIsAnnouncedWithTheRaftHost() throws Exception {
    int grpc = FreePorts.next();
    ServerConfig config = ServerConfigLoader.load(null, Map.of("id", "m1", "data_dir", dir.resolve("m1").toString(),
        "peers", "m1=127.0.0.1:" + FreePorts.next(), "grpc_addr", "0.0.0.0:" + grpc, "http_addr", ""));
    try (ManagerPeer peer = ManagerPeer.start(config)) {
      assertEquals("127.0.0.1:" + grpc, peer.grpcAddress());
      ManagedChannel ch = ManagedChannelBuilder.forTarget("127.0.0.1:" + grpc).usePlaintext().build();
      try {
        String announced = await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
            .until(() -> ControlServiceGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS)
                .getLeader(GetLeaderRequest.getDefaultInstance()).getLeader().getGrpcAddress(), a -> !a.isEmpty());
        assertEquals("127.0.0.1:" + grpc, announced, "the leader the cluster names");
      } finally {
        ch.shutdownNow();
      }
    }
  }
}
