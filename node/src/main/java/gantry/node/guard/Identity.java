package gantry.node.guard;

import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.ServerCall;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * The transport-level facts about a caller: where the call came from and, when the connection
 * is mutual TLS, the name (the certificate's CN) and the role ({@code server}, {@code agent},
 * {@code client}) of the certificate the handshake verified. Empty name and role on plaintext.
 *
 * @param remote the caller's address, "host:port", or "" when the transport does not say
 * @param certName the CN of the verified client certificate, or ""
 * @param role the role the certificate carries ({@link gantry.security.Role}, lower case), or ""
 */
public record Identity(String remote, String certName, String role) {
  /** Set for the duration of a gRPC call by the guard. */
  public static final Context.Key<Identity> CONTEXT_KEY = Context.key("gantry-identity");

  public static final Identity UNKNOWN = new Identity("", "", "");

  /** The identity of the call in progress (in a service method), or {@link #UNKNOWN}. */
  public static Identity current() {
    Identity identity = CONTEXT_KEY.get();
    return identity == null ? UNKNOWN : identity;
  }

  /** Reads the remote address and the verified peer certificate of a gRPC call. */
  public static Identity of(ServerCall<?, ?> call) {
    String remote = address(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    return of(remote, session == null ? Optional.empty() : peerCertificate(session));
  }

  /** An identity from a remote address and the verified peer certificate, if any. */
  public static Identity of(String remote, Optional<X509Certificate> certificate) {
    if (certificate.isEmpty()) return new Identity(remote, "", "");
    X509Certificate cert = certificate.get();
    String role;
    try {
      role = gantry.security.Role.of(cert).name().toLowerCase(java.util.Locale.ROOT);
    } catch (java.security.cert.CertificateException | RuntimeException e) {
      role = ""; // verified by the CA but with no single role: it is still somebody, with no role
    }
    return new Identity(remote, commonName(cert), role);
  }

  /** The first certificate the peer presented in a TLS session, if it presented one. */
  public static Optional<X509Certificate> peerCertificate(SSLSession session) {
    try {
      Certificate[] chain = session.getPeerCertificates();
      return chain.length > 0 && chain[0] instanceof X509Certificate x ? Optional.of(x) : Optional.empty();
    } catch (SSLPeerUnverifiedException e) {
      return Optional.empty();
    }
  }

  /** "host:port" of a socket address, or "" when there is none. */
  public static String address(SocketAddress address) {
    if (address instanceof InetSocketAddress inet) {
      String host = inet.getAddress() == null ? inet.getHostString() : inet.getAddress().getHostAddress();
      return host + ":" + inet.getPort();
    }
    return address == null ? "" : address.toString();
  }

  private static String commonName(X509Certificate cert) {
    try {
      for (var rdn : new javax.naming.ldap.LdapName(cert.getSubjectX500Principal().getName()).getRdns()) {
        if (rdn.getType().equalsIgnoreCase("CN")) return rdn.getValue().toString();
      }
    } catch (javax.naming.InvalidNameException e) {
      return "";
    }
    return "";
  }
}
