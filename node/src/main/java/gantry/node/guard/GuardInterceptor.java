package gantry.node.guard;

import gantry.node.acl.Authorization;
import gantry.node.acl.Decision;
import gantry.node.guard.AccessTable.Rule;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.io.IOException;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Guard} on ControlService: the token from the {@code x-gantry-token} metadata, the
 * check once the request message arrives (its target is in it), lists cut to what the token may
 * read, and the audit line written inside {@link ServerCall#close}, before the status leaves: a
 * caller never sees the answer to a write the log does not hold. If the line cannot be written,
 * the call ends UNAVAILABLE "audit log not writable" instead.
 */
public final class GuardInterceptor implements ServerInterceptor {
  /** The metadata key clients send their token's secret in. */
  public static final Metadata.Key<String> TOKEN = Metadata.Key.of("x-gantry-token", Metadata.ASCII_STRING_MARSHALLER);
  private static final Logger LOG = LoggerFactory.getLogger(GuardInterceptor.class);

  private final Guard guard;

  public GuardInterceptor(Guard guard) {
    this.guard = guard;
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers, ServerCallHandler<Q, A> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    Optional<Rule> rule = AccessTable.grpc(method);
    Identity identity = Identity.of(call);
    Authorization who = guard.authorize(headers.get(TOKEN));
    GuardedCall<Q, A> guarded = new GuardedCall<>(call, identity, who, method, Guard.audited(rule));
    ServerCall.Listener<Q> inner = Contexts.interceptCall(Context.current().withValue(Identity.CONTEXT_KEY, identity),
        guarded, headers, next);
    return new SimpleForwardingServerCallListener<>(inner) {
      private boolean denied;

      @Override
      public void onMessage(Q request) {
        String target = rule.map(r -> r.target().apply((com.google.protobuf.Message) request)).orElse("");
        guarded.target = target;
        Decision decision = guard.decide(rule, who, target);
        if (!decision.allowed()) {
          denied = true;
          guarded.deny(decision.reason());
          return;
        }
        super.onMessage(request);
      }

      @Override
      public void onHalfClose() {
        if (!denied) super.onHalfClose();
      }
    };
  }

  /** The call as the service sees it: answers cut, and the audit line written before the close. */
  private final class GuardedCall<Q, A> extends SimpleForwardingServerCall<Q, A> {
    private final Identity identity;
    private final Authorization who;
    private final String method;
    private final boolean audited;
    private volatile String target = "";
    private volatile boolean denied;

    GuardedCall(ServerCall<Q, A> call, Identity identity, Authorization who, String method, boolean audited) {
      super(call);
      this.identity = identity;
      this.who = who;
      this.method = method;
      this.audited = audited;
    }

    void deny(String reason) {
      denied = true;
      close(Status.PERMISSION_DENIED.withDescription(reason), new Metadata());
    }

    @Override
    public void sendMessage(A message) {
      super.sendMessage(ListCut.cut(who, message));
    }

    @Override
    public void close(Status status, Metadata trailers) {
      if (audited || denied) {
        String outcome = denied ? "denied" : status.isOk() ? "ok" : status.getCode().name();
        try {
          guard.audit(identity, who, method, target, outcome, status.isOk() ? "" : status.getDescription());
        } catch (IOException | RuntimeException e) {
          LOG.error("audit: {} {} from {} not recorded: {}", method, target, identity.remote(), e.toString());
          status = Status.UNAVAILABLE.withDescription(Guard.AUDIT_FAILED);
          trailers = new Metadata();
        }
      }
      super.close(status, trailers);
    }
  }
}
