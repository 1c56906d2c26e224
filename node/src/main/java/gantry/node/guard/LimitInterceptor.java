package gantry.node.guard;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The request limits of a manager's gRPC port that the transport does not enforce itself (the
 * message size and the streams per connection are set on the Netty server):
 *
 * <ul>
 *   <li>a rate limit per caller ({@link RateLimiter}; the key is a hash of the
 *       {@code x-gantry-token} metadata, or the caller's IP without one): a call over it ends
 *       RESOURCE_EXHAUSTED "rate limit: ... (rate_per_token); retry in 12ms" before any handler
 *       runs;
 *   <li>a server-side deadline on every unary call (unary_deadline), whatever deadline the caller
 *       set or did not set: the call ends DEADLINE_EXCEEDED naming the setting and its handler's
 *       {@link Context} is cancelled. Streams (event watches, agent sessions) are meant to last and
 *       get none.
 * </ul>
 */
public final class LimitInterceptor implements ServerInterceptor, AutoCloseable {
  static final Metadata.Key<String> TOKEN = Metadata.Key.of(CallerKey.TOKEN_HEADER, Metadata.ASCII_STRING_MARSHALLER);

  private final RateLimiter limiter;
  private final Duration unaryDeadline;
  private final ScheduledExecutorService timer;

  /**
   * @param limiter shared with the HTTP endpoint, so a token's budget is one across both
   * @param unaryDeadline unary_deadline
   */
  public LimitInterceptor(RateLimiter limiter, Duration unaryDeadline) {
    this.limiter = limiter;
    this.unaryDeadline = unaryDeadline;
    this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("gantry-unary-deadline").daemon()
        .factory());
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String key = CallerKey.of(headers.get(TOKEN), host(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)));
    if (limiter.acquire(key) instanceof RateLimiter.Decision.Refused refused) {
      call.close(Status.RESOURCE_EXHAUSTED.withDescription(limiter.refusal(key, refused)), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    if (call.getMethodDescriptor().getType() != MethodType.UNARY) return next.startCall(call, headers);
    DeadlineCall<Q, R> bounded = new DeadlineCall<>(call);
    Context.CancellableContext context = Context.current().withDeadlineAfter(unaryDeadline.toNanos(), TimeUnit.NANOSECONDS,
        timer);
    // Runs when the deadline passes, and also when the call ends first (the parent context is
    // cancelled then): only a passed deadline closes the call.
    context.addListener(ctx -> {
      if (context.getDeadline().isExpired()) bounded.expire(describe(call));
    }, Runnable::run);
    return Contexts.interceptCall(context, bounded, headers, next);
  }

  private String describe(ServerCall<?, ?> call) {
    return call.getMethodDescriptor().getBareMethodName() + " ran past the server's unary_deadline of "
        + human(unaryDeadline);
  }

  /** 60s, 1500ms, 2m: the form the setting is written in. */
  static String human(Duration d) {
    long ms = d.toMillis();
    if (ms % 60_000 == 0) return ms / 60_000 + "m";
    if (ms % 1000 == 0) return ms / 1000 + "s";
    return ms + "ms";
  }

  private static String host(SocketAddress address) {
    if (address instanceof InetSocketAddress inet) {
      return inet.getAddress() == null ? inet.getHostString() : inet.getAddress().getHostAddress();
    }
    return address == null ? "" : address.toString();
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }

  /**
   * A call the deadline may close from the timer thread while the handler still runs: every
   * outbound step takes the same lock, and what the handler sends after the deadline closed the
   * call is dropped (the caller already has its DEADLINE_EXCEEDED).
   */
  private static final class DeadlineCall<Q, R> extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
    private boolean closed;

    DeadlineCall(ServerCall<Q, R> call) {
      super(call);
    }

    synchronized void expire(String description) {
      if (closed) return;
      closed = true;
      super.close(Status.DEADLINE_EXCEEDED.withDescription(description), new Metadata());
    }

    @Override
    public synchronized void sendHeaders(Metadata headers) {
      if (!closed) super.sendHeaders(headers);
    }

    @Override
    public synchronized void sendMessage(R message) {
      if (!closed) super.sendMessage(message);
    }

    @Override
    public synchronized void close(Status status, Metadata trailers) {
      if (closed) return;
      closed = true;
      super.close(status, trailers);
    }
  }
}
