package gantry.security.tls;

import gantry.security.Role;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.EnumSet;
import java.util.Set;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts a peer only if the cluster CA signed its certificate, the certificate carries one of the
 * roles this port takes (the Raft port: {@link Role#SERVER} only), and the handshake is TLS 1.3.
 * Every refusal is a {@link CertificateException}, so the handshake fails with an alert and the
 * peer never reaches a service.
 *
 * <p>The chain check is delegated to the JDK's PKIX trust manager for the CA of the moment
 * ({@code pkix}), which {@link TlsMaterial#reload()} swaps. The TLS version is checked here as
 * well as in the contexts' protocol lists because Ratis builds its own Netty contexts from this
 * trust manager and offers no protocol setting.
 */
public final class ClusterTrustManager extends X509ExtendedTrustManager {
  static final String TLS13 = "TLSv1.3";

  private final Supplier<X509ExtendedTrustManager> pkix;
  private final Set<Role> roles;

  ClusterTrustManager(Supplier<X509ExtendedTrustManager> pkix, Set<Role> roles) {
    if (roles.isEmpty()) throw new IllegalArgumentException("a trust manager needs at least one role to accept");
    this.pkix = pkix;
    this.roles = Set.copyOf(EnumSet.copyOf(roles));
  }

  /** The roles this trust manager accepts. */
  public Set<Role> roles() {
    return roles;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    requireTls13(engine == null ? null : engine.getHandshakeSession());
    pkix.get().checkClientTrusted(chain, authType, engine);
    requireRole(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    requireTls13(engine == null ? null : engine.getHandshakeSession());
    pkix.get().checkServerTrusted(chain, authType, engine);
    requireRole(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    requireTls13(socket instanceof SSLSocket ssl ? ssl.getHandshakeSession() : null);
    pkix.get().checkClientTrusted(chain, authType, socket);
    requireRole(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    requireTls13(socket instanceof SSLSocket ssl ? ssl.getHandshakeSession() : null);
    pkix.get().checkServerTrusted(chain, authType, socket);
    requireRole(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    pkix.get().checkClientTrusted(chain, authType);
    requireRole(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    pkix.get().checkServerTrusted(chain, authType);
    requireRole(chain);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return pkix.get().getAcceptedIssuers();
  }

  private static void requireTls13(SSLSession handshake) throws CertificateException {
    if (handshake == null) return; // the engine does not say (then the context's protocol list is the guard)
    String protocol = handshake.getProtocol();
    if (protocol != null && protocol.startsWith("TLS") && !protocol.equals(TLS13)) {
      throw new CertificateException(protocol + " refused: Gantry speaks TLS 1.3 only");
    }
  }

  private void requireRole(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) throw new CertificateException("no certificate presented");
    Role role = Role.of(chain[0]);
    if (!roles.contains(role)) {
      throw new CertificateException("certificate \"" + chain[0].getSubjectX500Principal().getName() + "\" has role "
          + role.id() + "; this port takes " + roles.stream().map(Role::id).sorted().collect(Collectors.joining(" or ")));
    }
  }
}
