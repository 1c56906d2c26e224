package gantry.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.util.function.Supplier;

/**
 * Adds the caller's ACL token to every call as {@code x-gantry-token}, the metadata the managers'
 * guard reads. Read at each call, so a client's token may be set after its channels opened.
 */
public final class TokenInterceptor implements ClientInterceptor {
  /** The metadata key of the token's secret. */
  public static final Metadata.Key<String> TOKEN = Metadata.Key.of("x-gantry-token", Metadata.ASCII_STRING_MARSHALLER);

  private final Supplier<String> token;

  public TokenInterceptor(Supplier<String> token) {
    this.token = token;
  }

  @Override
  public <Q, A> ClientCall<Q, A> interceptCall(MethodDescriptor<Q, A> method, CallOptions options, Channel next) {
    return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
      @Override
      public void start(Listener<A> listener, Metadata headers) {
        String secret = token.get();
        if (secret != null && !secret.isEmpty()) headers.put(TOKEN, secret);
        super.start(listener, headers);
      }
    };
  }
}
