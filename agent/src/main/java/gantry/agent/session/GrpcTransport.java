package gantry.agent.session;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import gantry.v1.AgentMessage;
import gantry.v1.DispatcherServiceGrpc;
import gantry.v1.ManagerMessage;
import gantry.v1.RegisterNodeRequest;
import gantry.v1.RegisterNodeResponse;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@link ManagerTransport} over grpc-java, plaintext, one channel per manager address shared by
 * every session of the process (a simulation of thousands of nodes multiplexes its streams over
 * one HTTP/2 connection per manager).
 */
public final class GrpcTransport implements ManagerTransport {
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  private ManagedChannel channel(String address) {
    ManagedChannel ch = channels.computeIfAbsent(address, a -> ManagedChannelBuilder.forTarget(a)
        .usePlaintext()
        .maxInboundMessageSize(64 * 1024 * 1024)
        .build());
    // After a manager was down the channel waits out its own reconnect backoff (up to minutes);
    // the session has its own, shorter one, so let the channel try at once.
    if (ch.getState(false) == ConnectivityState.TRANSIENT_FAILURE) {
      ch.resetConnectBackoff();
    }
    return ch;
  }

  @Override
  public CompletableFuture<RegisterNodeResponse> register(String address, RegisterNodeRequest request,
      Duration timeout) {
    CompletableFuture<RegisterNodeResponse> out = new CompletableFuture<>();
    var call = DispatcherServiceGrpc.newFutureStub(channel(address))
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .register(request);
    Futures.addCallback(call, new FutureCallback<>() {
      @Override
      public void onSuccess(RegisterNodeResponse r) {
        out.complete(r);
      }

      @Override
      public void onFailure(Throwable t) {
        var notLeader = NotLeaderException.from(t);
        out.completeExceptionally(notLeader.isPresent() ? notLeader.get() : t);
      }
    }, MoreExecutors.directExecutor());
    return out;
  }

  @Override
  public SessionStream openSession(String address, StreamListener listener) {
    var holder = new CompletableFuture<ClientCallStreamObserver<AgentMessage>>();
    StreamObserver<AgentMessage> requests = DispatcherServiceGrpc.newStub(channel(address)).session(
        new ClientResponseObserver<AgentMessage, ManagerMessage>() {
          @Override
          public void beforeStart(ClientCallStreamObserver<AgentMessage> r) {
            holder.complete(r);
          }

          @Override
          public void onNext(ManagerMessage m) {
            listener.onMessage(m);
          }

          @Override
          public void onError(Throwable t) {
            Status s = Status.fromThrowable(t);
            String hint = NotLeaderException.from(t).map(NotLeaderException::leader).orElse(null);
            listener.onClosed(s.getCode() + (s.getDescription() == null ? "" : ": " + s.getDescription()), hint);
          }

          @Override
          public void onCompleted() {
            listener.onClosed("stream completed by the manager", null);
          }
        });
    return new SessionStream() {
      @Override
      public void send(AgentMessage message) {
        try {
          requests.onNext(message);
        } catch (RuntimeException e) {
          // a cancelled or failed call: onError/onClosed tells the session
        }
      }

      @Override
      public void close() {
        ClientCallStreamObserver<AgentMessage> r = holder.getNow(null);
        try {
          if (r != null) {
            r.cancel("agent closed the session", null);
          } else {
            requests.onCompleted();
          }
        } catch (RuntimeException ignored) {
          // already ended
        }
      }
    };
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    for (ManagedChannel ch : channels.values()) {
      try {
        ch.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
