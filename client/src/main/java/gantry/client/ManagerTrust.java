package gantry.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * What a client trusts on the other end: a certificate chain to the cluster CA only, naming the
 * host dialled, and of the server role (the SAN {@value #SERVER_ROLE} that {@code gantry tls cert
 * create --role server} writes). An agent's or a user's certificate of the same CA cannot pose as
 * a manager, even with the manager's address in it.
 */
final class ManagerTrust extends X509ExtendedTrustManager {
  static final String SERVER_ROLE = "server.gantry";

  private final X509ExtendedTrustManager ca;

  private ManagerTrust(X509ExtendedTrustManager ca) {
    this.ca = ca;
  }

  /** Trusts the certificates of the PEM file {@code ca} (the cluster CA) and nothing else. */
  static ManagerTrust of(Path ca) throws IOException, GeneralSecurityException {
    KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
    store.load(null, null);
    try (InputStream in = Files.newInputStream(ca)) {
      int i = 0;
      for (var cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        store.setCertificateEntry("ca-" + i++, cert);
      }
      if (i == 0) throw new CertificateException("no certificate in " + ca);
    }
    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(store);
    for (var tm : factory.getTrustManagers()) {
      if (tm instanceof X509ExtendedTrustManager x) return new ManagerTrust(x);
    }
    throw new GeneralSecurityException("no X.509 trust manager in this JDK");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    ca.checkServerTrusted(chain, authType, engine); // the chain and, as the engine asks, the host name
    requireServerRole(chain[0]);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    ca.checkServerTrusted(chain, authType, socket);
    requireServerRole(chain[0]);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    ca.checkServerTrusted(chain, authType);
    requireServerRole(chain[0]);
  }

  private static void requireServerRole(X509Certificate leaf) throws CertificateException {
    if (!dnsNames(leaf).contains(SERVER_ROLE)) {
      throw new CertificateException("the peer's certificate (" + leaf.getSubjectX500Principal().getName()
          + ") is not a manager's: no " + SERVER_ROLE + " name (gantry tls cert create --role server)");
    }
  }

  private static List<String> dnsNames(X509Certificate cert) throws CertificateParsingException {
    var names = cert.getSubjectAlternativeNames();
    if (names == null) return List.of();
    return names.stream().filter(n -> n.size() == 2 && Integer.valueOf(2).equals(n.get(0))).map(n -> String.valueOf(n.get(1))).toList();
  }

  // A client does not serve: these are never asked.
  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
    throw new CertificateException("a client does not accept connections");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
    throw new CertificateException("a client does not accept connections");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
    throw new CertificateException("a client does not accept connections");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return ca.getAcceptedIssuers();
  }
}
