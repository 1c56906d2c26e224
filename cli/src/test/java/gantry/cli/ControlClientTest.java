package gantry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.client.ControlClient;
import gantry.client.NoManagerReachableException;
import gantry.v1.ControlServiceGrpc;
import gantry.v1.GetLiveMetricsRequest;
import gantry.v1.GetLiveMetricsResponse;
import gantry.v1.ListJobsRequest;
import gantry.v1.NodeMetrics;
import gantry.v1.NotLeaderDetail;
import com.google.protobuf.Any;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.StatusProto;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ControlClientTest extends FakeServerTest {
  @Test
  void triesTheNextManagerWhenTheFirstRefusesConnections() {
    try (var client = new ControlClient(List.of(FakeControlServer.deadAddress(), server.address()), Duration.ofSeconds(5))) {
      var response = client.call(stub -> stub.listJobs(ListJobsRequest.getDefaultInstance()));
      assertEquals(1, response.getJobsCount());
      assertEquals("web", response.getJobs(0).getName());
    }
  }

  /** A thread left in its selector would hold the JVM's exit up by 300 ms: close() ends the client's I/O thread. */
  @Test
  void closeEndsTheClientsIoThreadAndTheClientConnectsAgainAfterIt() {
    var before = ioThreads();   // another test's client left open would count here too
    var client = new ControlClient(List.of(server.address()), Duration.ofSeconds(5));
    assertEquals(1, client.call(stub -> stub.listJobs(ListJobsRequest.getDefaultInstance())).getJobsCount());
    var mine = ioThreads();
    mine.removeAll(before);
    assertEquals(1, mine.size(), "one I/O thread per client");
    client.close();
    assertTrue(ended(mine), "close() ends it");
    assertEquals(1, client.call(stub -> stub.listJobs(ListJobsRequest.getDefaultInstance())).getJobsCount());
    var again = ioThreads();
    again.removeAll(before);
    client.close();
    assertTrue(ended(again), "close() ends the new one too");
  }

  private static java.util.Set<Thread> ioThreads() {
    var threads = new java.util.HashSet<>(Thread.getAllStackTraces().keySet());
    threads.removeIf(t -> !t.getName().startsWith("gantry-control-client"));
    return threads;
  }

  /** Whether each thread ends within a few seconds (close() returns once its event loop is done; the thread exits just after). */
  private static boolean ended(java.util.Set<Thread> threads) {
    for (Thread t : threads) {
      try {
        if (!t.join(Duration.ofSeconds(5))) return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  @Test
  void aLeaderOnlyCallFollowsTheTypedRedirect() throws IOException {
    Server leader = liveMetricsServer(null);
    Server follower = liveMetricsServer(NotLeaderDetail.newBuilder()
        .setLeaderId("m1").setLeaderGrpcAddress("127.0.0.1:" + leader.getPort()).build());
    Server lost = liveMetricsServer(NotLeaderDetail.getDefaultInstance());
    try (var client = new ControlClient(List.of("127.0.0.1:" + follower.getPort()), Duration.ofSeconds(5));
         var noLeader = new ControlClient(List.of("127.0.0.1:" + lost.getPort()), Duration.ofSeconds(5))) {
      var metrics = client.callLeader(stub -> stub.getLiveMetrics(GetLiveMetricsRequest.getDefaultInstance()));
      assertTrue(metrics.containsNodes("n1"), metrics.toString());

      var e = assertThrows(StatusRuntimeException.class,
          () -> noLeader.callLeader(stub -> stub.getLiveMetrics(GetLiveMetricsRequest.getDefaultInstance())));
      assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().startsWith("no leader is known"), e.getStatus().getDescription());
    } finally {
      leader.shutdownNow();
      follower.shutdownNow();
      lost.shutdownNow();
    }
  }

  /** Answers GetLiveMetrics as the leader ({@code redirect} null) or refuses as a follower naming it. */
  private static Server liveMetricsServer(NotLeaderDetail redirect) throws IOException {
    var service = new ControlServiceGrpc.ControlServiceImplBase() {
      @Override
      public void getLiveMetrics(GetLiveMetricsRequest req, StreamObserver<GetLiveMetricsResponse> out) {
        if (redirect != null) {
          out.onError(StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
              .setCode(Status.Code.FAILED_PRECONDITION.value())
              .setMessage("not the leader")
              .addDetails(Any.pack(redirect))
              .build()));
          return;
        }
        out.onNext(GetLiveMetricsResponse.newBuilder().putNodes("n1", NodeMetrics.getDefaultInstance()).build());
        out.onCompleted();
      }
    };
    return NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).addService(service).build().start();
  }

  @Test
  void failsNamingTheAddressesWhenNoManagerAnswers() {
    String a = FakeControlServer.deadAddress();
    String b = FakeControlServer.deadAddress();
    try (var client = new ControlClient(List.of(a, b), Duration.ofSeconds(5))) {
      var e = assertThrows(NoManagerReachableException.class, () -> client.call(stub -> stub.listJobs(ListJobsRequest.getDefaultInstance())));
      assertTrue(e.getMessage().startsWith("no manager reachable at " + a + "," + b), e.getMessage());
    }
  }

  @Test
  void commandSucceedsThroughFailoverAndExitsOneWithOnlyDeadAddresses() {
    var ok = Cli.run("job", "ls", "--address", FakeControlServer.deadAddress() + "," + server.address());
    assertEquals(0, ok.exitCode(), ok.err());
    assertTrue(ok.out().startsWith("NAME"), ok.out());
    assertTrue(ok.out().contains("web"), ok.out());

    var dead = Cli.run("job", "ls", "--address", FakeControlServer.deadAddress() + "," + FakeControlServer.deadAddress());
    assertEquals(1, dead.exitCode());
    assertTrue(dead.err().startsWith("no manager reachable at "), dead.err());
    assertEquals(1, dead.err().strip().lines().count(), dead.err());
  }
}
