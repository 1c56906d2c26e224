package gantry.security.tls;

import gantry.security.Role;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.util.Set;
import javax.net.ssl.SSLException;

/**
 * The Netty contexts of Gantry's gRPC ports, one recipe for managers, agents and clients: TLS 1.3
 * only, the JDK provider (it asks the {@link TlsMaterial}'s managers at every handshake, so a
 * reload needs no new context), ALPN for HTTP/2 as gRPC wants it.
 */
public final class GrpcTls {
  private GrpcTls() {}

  /** A server that requires a client certificate of any cluster role (control and dispatcher port). */
  public static SslContext server(TlsMaterial material) {
    SslContextBuilder builder = SslContextBuilder.forServer(material.keyManager())
        .trustManager(material.trustManager())
        .clientAuth(ClientAuth.REQUIRE);
    return build(builder);
  }

  /** A client that presents this process's certificate and accepts only a server-role certificate. */
  public static SslContext client(TlsMaterial material) {
    SslContextBuilder builder = SslContextBuilder.forClient()
        .keyManager(material.keyManager())
        .trustManager(material.trustManager(Set.of(Role.SERVER)));
    return build(builder);
  }

  private static SslContext build(SslContextBuilder builder) {
    try {
      return GrpcSslContexts.configure(builder, SslProvider.JDK).protocols(ClusterTrustManager.TLS13).build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build a TLS 1.3 context: " + e.getMessage(), e);
    }
  }
}
