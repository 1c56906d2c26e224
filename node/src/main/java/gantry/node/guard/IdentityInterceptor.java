package gantry.node.guard;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;

/**
 * Puts the caller's {@link Identity} (remote address, and with mutual TLS the verified
 * certificate's name and role) in the context of every gRPC call, so a service reads it with
 * {@link Identity#current()} rather than digging in transport attributes.
 */
public final class IdentityInterceptor implements ServerInterceptor {
  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    Context context = Context.current().withValue(Identity.CONTEXT_KEY, Identity.of(call));
    return Contexts.interceptCall(context, call, headers, next);
  }
}
