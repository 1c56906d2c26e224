package gantry.security.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.security.CertificateAndKey;
import gantry.security.CertificateAuthority;
import gantry.security.CertificateRequest;
import gantry.security.PemFile;
import gantry.security.PemFiles;
import gantry.security.Role;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The TLS material over real JDK sockets on loopback: the role a port takes is enforced at the
 * handshake, TLS 1.2 is refused even where a context would allow it (Ratis' case), files are
 * checked before use, and a reload swaps the certificate or, on bad files, keeps the old one.
 */
class TlsMaterialTest {
  @TempDir Path dir;

  private CertificateAuthority ca;

  @BeforeEach
  void authority() throws Exception {
    ca = CertificateAuthority.create(90, Clock.systemUTC(), new SecureRandom());
    PemFiles.write(List.of(PemFile.of(dir.resolve("ca.pem"), ca.certificate())), false);
  }

  private TlsFiles issue(Role role, String name, String file) throws Exception {
    CertificateAndKey issued = ca.issue(new CertificateRequest(role, name, List.of(), List.of(), 30), Clock.systemUTC(),
        new SecureRandom());
    TlsFiles files = new TlsFiles(dir.resolve("ca.pem"), dir.resolve(file + ".pem"), dir.resolve(file + "-key.pem"));
    PemFiles.write(List.of(PemFile.of(files.cert(), issued.certificate()), PemFile.of(files.key(), issued.privateKey())), true);
    return files;
  }

  private TlsMaterial material(Role role, String name) throws Exception {
    return TlsMaterial.load(issue(role, name, name));
  }

  /**
   * Serves one connection with {@code context} restricted to {@code protocols}, client certificate
   * required; completes with the subject of the client's certificate, or the server's handshake failure.
   */
  private static CompletableFuture<String> serveOne(SSLServerSocket server) {
    CompletableFuture<String> outcome = new CompletableFuture<>();
    Thread.ofVirtual().start(() -> {
      try (SSLSocket socket = (SSLSocket) server.accept()) {
        socket.setSoTimeout(10_000);
        socket.startHandshake();
        String subject = ((java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0])
            .getSubjectX500Principal().getName();
        socket.getOutputStream().write(1);
        socket.getOutputStream().flush();
        outcome.complete(subject);
      } catch (IOException | RuntimeException e) {
        outcome.complete("refused: " + e.getMessage());
      }
    });
    return outcome;
  }

  private static SSLServerSocket server(SSLContext context, String... protocols) throws IOException {
    SSLServerSocket server = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0, 1,
        InetAddress.getLoopbackAddress());
    server.setNeedClientAuth(true);
    server.setEnabledProtocols(protocols);
    return server;
  }

  /** Connects as {@code client} and reads the server's one byte; throws the handshake's failure. */
  private static void connect(SSLContext client, int port, String protocol) throws IOException {
    try (SSLSocket socket = (SSLSocket) client.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(10_000);
      socket.setEnabledProtocols(new String[] {protocol});
      socket.startHandshake();
      assertEquals(1, socket.getInputStream().read());
    }
  }

  private static SSLContext context(String protocol, KeyManager key, TrustManager trust) throws GeneralSecurityException {
    SSLContext context = SSLContext.getInstance(protocol);
    context.init(new KeyManager[] {key}, new TrustManager[] {trust}, null);
    return context;
  }

  @Test
  void aServerOnlyPortRefusesAnAgentAtTheHandshakeAndServesAServer() throws Exception {
    TlsMaterial raft = material(Role.SERVER, "m1");
    SSLContext serverOnly = context("TLSv1.3", raft.keyManager(), raft.trustManager(Set.of(Role.SERVER)));
    try (SSLServerSocket server = server(serverOnly, "TLSv1.3")) {
      var served = serveOne(server);
      connect(material(Role.SERVER, "m2").jdkContext(), server.getLocalPort(), "TLSv1.3");
      assertEquals("CN=m2", served.get(10, TimeUnit.SECONDS));

      var refused = serveOne(server);
      // the client sees the alert or, if the server closed first, a reset: the server's reason is what counts
      assertThrows(IOException.class, () -> connect(material(Role.AGENT, "a1").jdkContext(), server.getLocalPort(), "TLSv1.3"));
      assertEquals("refused: (certificate_unknown) certificate \"CN=a1\" has role agent; this port takes server",
          refused.get(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void tls12IsRefusedEvenWhereTheContextAllowsIt() throws Exception {
    TlsMaterial m1 = material(Role.SERVER, "m1");
    SSLContext lenient = context("TLS", m1.keyManager(), m1.trustManager());
    try (SSLServerSocket server = server(lenient, "TLSv1.2", "TLSv1.3")) {
      var refused = serveOne(server);
      TlsMaterial a1 = material(Role.AGENT, "a1");
      // an old client that checks nothing itself, so that the refusal is the server's
      SSLContext old = context("TLSv1.2", a1.keyManager(), new javax.net.ssl.X509TrustManager() {
        @Override
        public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {}

        @Override
        public java.security.cert.X509Certificate[] getAcceptedIssuers() {
          return new java.security.cert.X509Certificate[0];
        }
      });
      assertThrows(IOException.class, () -> connect(old, server.getLocalPort(), "TLSv1.2"));
      assertTrue(refused.get(10, TimeUnit.SECONDS).contains("TLSv1.2 refused: Gantry speaks TLS 1.3 only"),
          refused.get());
    }
  }

  @Test
  void filesAreCheckedBeforeUse() throws Exception {
    TlsFiles m1 = issue(Role.SERVER, "m1", "m1");
    TlsFiles other = issue(Role.SERVER, "other", "other");
    var mismatch = assertThrows(CertificateException.class,
        () -> TlsMaterial.load(new TlsFiles(m1.ca(), m1.cert(), other.key())));
    assertTrue(mismatch.getMessage().contains(other.key().toString()), mismatch.getMessage());

    CertificateAuthority stranger = CertificateAuthority.create(90, Clock.systemUTC(), new SecureRandom());
    Path strangerCa = dir.resolve("stranger-ca.pem");
    PemFiles.write(List.of(PemFile.of(strangerCa, stranger.certificate())), false);
    var unsigned = assertThrows(CertificateException.class,
        () -> TlsMaterial.load(new TlsFiles(strangerCa, m1.cert(), m1.key())));
    assertEquals(m1.cert() + ": not signed by the CA in " + strangerCa, unsigned.getMessage());

    assertThrows(java.nio.file.NoSuchFileException.class,
        () -> TlsMaterial.load(new TlsFiles(dir.resolve("none.pem"), m1.cert(), m1.key())));
  }

  @Test
  void aReloadSwapsTheCertificateAndABadOneKeepsTheOldOne() throws Exception {
    TlsFiles files = issue(Role.SERVER, "m1", "m1");
    TlsMaterial material = TlsMaterial.load(files);
    SSLContext context = material.jdkContext(); // built once, as a running server's is
    TlsMaterial a1 = material(Role.AGENT, "a1");
    try (SSLServerSocket server = server(context, "TLSv1.3")) {
      assertEquals("CN=m1", presented(a1, server));

      issue(Role.SERVER, "m1-renewed", "m1");
      assertTrue(material.reload());
      assertEquals("CN=m1-renewed", presented(a1, server));

      Files.writeString(files.key(), "not a key");
      assertFalse(material.reload());
      assertEquals("CN=m1-renewed", presented(a1, server), "the material in use stays");
    }
  }

  /** The subject of the certificate {@code server} presents to a client holding {@code as}. */
  private static String presented(TlsMaterial as, SSLServerSocket server) throws Exception {
    var served = serveOne(server);
    try (SSLSocket socket = (SSLSocket) as.jdkContext().getSocketFactory().createSocket(InetAddress.getLoopbackAddress(),
        server.getLocalPort())) {
      socket.startHandshake();
      assertEquals(1, socket.getInputStream().read());
      served.get(10, TimeUnit.SECONDS);
      return ((java.security.cert.X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
    }
  }
}
