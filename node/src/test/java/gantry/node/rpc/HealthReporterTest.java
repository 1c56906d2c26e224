package gantry.node.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gantry.node.rpc.HealthRule.Facts;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.ManagedChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The reporter behind a real gRPC health service on loopback; the facts changed by hand. */
class HealthReporterTest {
  @Test
  void publishesTheRuleAtOnceThenFollowsTheFactsAndEndsNotServing() throws Exception {
    AtomicReference<Facts> facts = new AtomicReference<>(new Facts(false, false, false));
    HealthReporter reporter = new HealthReporter(facts::get);
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(reporter.service()).build().start();
    ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    try {
      HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel);
      // not the library's default SERVING: the first statuses are published before anyone asks
      assertEquals(ServingStatus.NOT_SERVING, status(health, ""));
      assertEquals(ServingStatus.NOT_SERVING, status(health, HealthRule.DISPATCHER));

      facts.set(new Facts(true, true, false));
      reporter.publish();
      assertEquals(ServingStatus.SERVING, status(health, ""));
      assertEquals(ServingStatus.SERVING, status(health, HealthRule.CONTROL));
      assertEquals(ServingStatus.SERVING, status(health, HealthRule.DISPATCHER));

      reporter.close();
      assertEquals(ServingStatus.NOT_SERVING, status(health, ""));
      assertEquals(ServingStatus.NOT_SERVING, status(health, HealthRule.CONTROL));
    } finally {
      reporter.close();
      channel.shutdownNow();
      server.shutdownNow();
    }
  }

  private static ServingStatus status(HealthGrpc.HealthBlockingStub health, String service) {
    return health.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
  }
}
