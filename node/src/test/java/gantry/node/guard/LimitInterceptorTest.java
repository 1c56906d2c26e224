package gantry.node.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.ControlServiceGrpc;
import gantry.v1.GetLeaderRequest;
import gantry.v1.GetLeaderResponse;
import gantry.v1.JobSpec;
import gantry.v1.ListPeersRequest;
import gantry.v1.ListPeersResponse;
import gantry.v1.RegisterJobRequest;
import gantry.v1.RegisterJobResponse;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The limits over real loopback gRPC (Netty server and client): what a caller gets when it
 * sends too fast, too much, or waits on a call that runs too long.
 */
class LimitInterceptorTest {
  static final int MAX_MESSAGE = 65_536;

  Server server;
  ManagedChannel channel;
  LimitInterceptor limits;
  final CountDownLatch slowCallCancelled = new CountDownLatch(1);

  /** GetLeader never answers (a stuck handler); ListPeers and RegisterJob answer at once. */
  final class InTestService extends ControlServiceGrpc.ControlServiceImplBase {
    @Override
    public void getLeader(GetLeaderRequest req, StreamObserver<GetLeaderResponse> out) {
      Context.current().addListener(ctx -> slowCallCancelled.countDown(), Runnable::run);
    }

    @Override
    public void listPeers(ListPeersRequest req, StreamObserver<ListPeersResponse> out) {
      out.onNext(ListPeersResponse.getDefaultInstance());
      out.onCompleted();
    }

    @Override
    public void registerJob(RegisterJobRequest req, StreamObserver<RegisterJobResponse> out) {
      out.onNext(RegisterJobResponse.getDefaultInstance());
      out.onCompleted();
    }
  }

  void start(int perSecond, int burst, Duration unaryDeadline) throws Exception {
    limits = new LimitInterceptor(new RateLimiter(perSecond, burst, System::nanoTime), unaryDeadline);
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .addService(new InTestService())
        .intercept(limits)
        .maxInboundMessageSize(MAX_MESSAGE)
        .build().start();
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
  }

  @AfterEach
  void stop() throws Exception {
    if (channel != null) channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    if (server != null) server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    if (limits != null) limits.close();
  }

  ControlServiceGrpc.ControlServiceBlockingStub stub(String token) {
    var stub = ControlServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
    if (token == null) return stub;
    Metadata headers = new Metadata();
    headers.put(LimitInterceptor.TOKEN, token);
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  @Test
  void aBurstBeyondTheLimitIsRefusedNamingRatePerTokenAndOtherTokensGoOn() throws Exception {
    start(1, 5, Duration.ofSeconds(60));
    int ok = 0;
    StatusRuntimeException refused = null;
    for (int i = 0; i < 20; i++) {
      try {
        stub("token-a").listPeers(ListPeersRequest.getDefaultInstance());
        ok++;
      } catch (StatusRuntimeException e) {
        refused = e;
      }
    }
    // 5 at once, and at 1/s at most one more while the 20 calls run
    assertTrue(ok >= 5 && ok <= 6, ok + " calls passed");
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, refused.getStatus().getCode());
    String message = refused.getStatus().getDescription();
    assertTrue(message.matches("rate limit: more than 1 requests/s for this token \\(rate_per_token\\); retry in \\d+ms"), message);
    // Another token, and a caller with none (counted by its address), have their own budgets.
    stub("token-b").listPeers(ListPeersRequest.getDefaultInstance());
    stub(null).listPeers(ListPeersRequest.getDefaultInstance());
  }

  @Test
  void anOversizeMessageIsRefusedNamingTheLimitAndTheNextCallGoesOn() throws Exception {
    start(1000, 1000, Duration.ofSeconds(60));
    RegisterJobRequest big = RegisterJobRequest.newBuilder()
        .setSpec(JobSpec.newBuilder().setName("x".repeat(MAX_MESSAGE + 100))).build();
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub(null).registerJob(big));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode(), e.toString());
    // grpc-java's transport refuses it before any interceptor sees it, so this is its text: it
    // names the limit and the size, not the setting (the gantry CLI adds that, see FailureHandler).
    assertEquals("gRPC message exceeds maximum size " + MAX_MESSAGE + ": " + (big.getSerializedSize()),
        e.getStatus().getDescription());
    // A message under the limit passes, on the same channel.
    stub(null).registerJob(RegisterJobRequest.newBuilder().setSpec(JobSpec.newBuilder().setName("web")).build());
  }

  @Test
  void aSlowUnaryCallEndsDeadlineExceededNamingTheSettingAndItsHandlerIsCancelled() throws Exception {
    start(1000, 1000, Duration.ofMillis(300));
    long start = System.nanoTime();
    // The caller's own deadline is 10 s: the server's 300 ms is what ends the call.
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub(null).getLeader(GetLeaderRequest.getDefaultInstance()));
    long tookMs = (System.nanoTime() - start) / 1_000_000;
    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode(), e.toString());
    assertEquals("GetLeader ran past the server's unary_deadline of 300ms", e.getStatus().getDescription());
    assertTrue(tookMs >= 290 && tookMs < 5_000, tookMs + " ms");
    assertTrue(slowCallCancelled.await(5, TimeUnit.SECONDS), "the handler's context was cancelled");
    // Quick calls are untouched.
    stub(null).listPeers(ListPeersRequest.getDefaultInstance());
  }
}
