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
import gantry.security.tls.GrpcTls;
import gantry.security.tls.TlsMaterial;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
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
 * {@link ManagerTransport} over grpc-java, one channel per manager address shared by every session
 * of the process (a simulation of thousands of nodes multiplexes its streams over one HTTP/2
 * connection per manager). Plaintext, or mutual TLS 1.3 with the agent's certificate, accepting
 * only managers that present a server-role certificate of the cluster CA.
 */
public final class GrpcTransport implements ManagerTransport {
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  /** Null: plaintext. */
  private final SslContext tls;

  /** Plaintext. */
  public GrpcTransport() {
    this.tls = null;
  }

  /** Mutual TLS with {@code material}; a reload of it reaches the next connection to a manager. */
  public GrpcTransport(TlsMaterial material) {
    this.tls = GrpcTls.client(material);
  }

  private ManagedChannel channel(String address) {
    ManagedChannel ch = channels.computeIfAbsent(address, a -> {
      NettyChannelBuilder builder = NettyChannelBuilder.forTarget(a).maxInboundMessageSize(64 * 1024 * 1024);
      return (tls == null ? builder.usePlaintext() : builder.sslContext(tls)).build();
    });
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
        Status status = Status.fromThrowable(t);
        if (notLeader.isPresent()) {
          out.completeExceptionally(notLeader.get());
        } else if (status.getCode() == Status.Code.PERMISSION_DENIED || status.getCode() == Status.Code.UNAUTHENTICATED) {
          out.completeExceptionally(new RefusedException(status.getDescription(), t));
        } else {
          out.completeExceptionally(t);
        }
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
