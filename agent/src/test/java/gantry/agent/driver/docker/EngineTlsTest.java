package gantry.agent.driver.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.dockerjava.api.DockerClient;
import gantry.agent.driver.DriverException;
import gantry.agent.driver.TaskDescription;
import gantry.agent.driver.TaskHandle;
import gantry.agent.driver.TaskStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The docker driver over TLS, set up as the docker CLI is ({@code DOCKER_TLS_VERIFY},
 * {@code DOCKER_CERT_PATH} with ca.pem, cert.pem and an RSA key.pem in OpenSSL's traditional
 * form, as Docker's guide makes them). The engine here listens only on its unix socket, so the
 * test puts a TLS front (mutual TLS, its own CA) before it: what the driver does still happens in
 * the real engine, checked through the tests' own client.
 */
class EngineTlsTest {
  @TempDir static Path dir;

  private static EngineFront front;
  private static Path clientFiles;
  private static DockerClient docker;

  @BeforeAll
  static void start() throws Exception {
    Pki pki = new Pki();
    clientFiles = Files.createDirectories(dir.resolve("client"));
    pki.writeClient(clientFiles);
    SSLServerSocket tlsServer = (SSLServerSocket) pki.serverContext().getServerSocketFactory()
        .createServerSocket(0, 50, InetAddress.getLoopbackAddress());
    tlsServer.setNeedClientAuth(true);
    front = new EngineFront(tlsServer, DockerConnection.configuredHost());
    docker = TestEngine.open();
  }

  @AfterAll
  static void stop() throws IOException {
    if (front != null) front.close();
    if (docker != null) TestEngine.close(docker);
  }

  private static Map<String, String> env(Path certs) {
    return Map.of(EngineTls.VERIFY, "1", EngineTls.CERT_PATH, certs.toString());
  }

  @Test
  void aContainerStartsAndStopsThroughTls() {
    URI host = URI.create("tcp://localhost:" + front.port());
    String alloc = "t" + UUID.randomUUID().toString().substring(0, 8);
    try (DockerDriver driver = DockerDriver.connect(host, env(clientFiles))) {
      TaskHandle h = driver.start(TaskDescription.builder(alloc, "sleeper").job("tls").group("g")
          .image(DockerDriverTest.IMAGE).command("sleep", "60").build());
      assertTrue(docker.inspectContainerCmd(h.id()).exec().getState().getRunning(), "running in the engine");
      assertEquals(alloc, docker.inspectContainerCmd(h.id()).exec().getConfig().getLabels().get(DockerDriver.LABEL_ALLOC));
      assertInstanceOf(TaskStatus.Running.class, driver.status(h));
      assertInstanceOf(TaskStatus.Killed.class, driver.stop(h, Duration.ofSeconds(5)));
      driver.destroy(h);
      assertTrue(front.connections() > 0, "the calls went through the TLS front");
    } finally {
      for (var c : docker.listContainersCmd().withShowAll(true)
          .withLabelFilter(Map.of(DockerDriver.LABEL_ALLOC, alloc)).exec()) {
        docker.removeContainerCmd(c.getId()).withForce(true).exec();
      }
    }
  }

  @Test
  void anEngineSignedByAnotherCaIsRefused() throws Exception {
    Path strangers = Files.createDirectories(dir.resolve("other-ca"));
    new Pki().writeClient(strangers);
    URI host = URI.create("tcp://localhost:" + front.port());
    var e = assertThrows(DriverException.class, () -> DockerDriver.connect(host, env(strangers)));
    assertEquals(DriverException.Kind.UNAVAILABLE, e.kind());
    assertTrue(e.getMessage().startsWith("Docker engine not reachable at " + host), e.getMessage());
  }

  @Test
  void anEngineWhoseCertificateNamesAnotherHostIsRefused() {
    URI host = URI.create("tcp://127.0.0.1:" + front.port()); // the engine's certificate names localhost only
    var e = assertThrows(DriverException.class, () -> DockerDriver.connect(host, env(clientFiles)));
    assertTrue(e.getMessage().startsWith("Docker engine not reachable at " + host), e.getMessage());
  }

  @Test
  void aMissingKeyFileIsNamed() throws Exception {
    Path partial = Files.createDirectories(dir.resolve("partial"));
    Files.copy(clientFiles.resolve("ca.pem"), partial.resolve("ca.pem"));
    Files.copy(clientFiles.resolve("cert.pem"), partial.resolve("cert.pem"));
    URI host = URI.create("tcp://localhost:" + front.port());
    var e = assertThrows(DriverException.class, () -> DockerDriver.connect(host, env(partial)));
    assertEquals(DriverException.Kind.UNAVAILABLE, e.kind());
    assertTrue(e.getMessage().contains("TLS files in " + partial) && e.getMessage().contains("key.pem is missing"),
        e.getMessage());
  }

  @Test
  void aUnixSocketTakesNoTls() {
    // As with the docker CLI: the TLS settings are for tcp:// and are not read for a socket.
    Map<String, String> env = Map.of(EngineTls.VERIFY, "1", EngineTls.CERT_PATH, dir.resolve("nothing-here").toString());
    try (DockerDriver driver = DockerDriver.connect(DockerConnection.configuredHost(), env)) {
      assertEquals("docker", driver.name());
    }
  }

  @Test
  void withoutTlsVerifyATcpEngineIsSpokenToInPlainText() throws IOException {
    try (EngineFront plain = new EngineFront(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()),
        DockerConnection.configuredHost())) {
      URI host = URI.create("tcp://127.0.0.1:" + plain.port());
      try (DockerDriver driver = DockerDriver.connect(host, Map.of(EngineTls.CERT_PATH, dir.resolve("nothing-here").toString()))) {
        assertTrue(driver.recover("t-none-" + UUID.randomUUID()).isEmpty());
      }
      assertTrue(plain.connections() >= 2, "the ping and the list went through the plain front");
    }
  }

  @Test
  void tlsIsOffUnlessAsked() {
    assertTrue(EngineTls.fromEnvironment(Map.of()).isEmpty());
    assertTrue(EngineTls.fromEnvironment(Map.of(EngineTls.VERIFY, "", EngineTls.CERT_PATH, "/x")).isEmpty());
    assertTrue(EngineTls.fromEnvironment(env(clientFiles)).isPresent());
  }

  /** A CA, an engine certificate for localhost, and a client certificate, all RSA as Docker's guide makes them. */
  private static final class Pki {
    private final KeyPair caKeys = rsa();
    private final X509Certificate ca;
    private final KeyPair serverKeys = rsa();
    private final X509Certificate server;

    Pki() throws Exception {
      ca = sign(new X500Name("CN=test engine CA"), caKeys, Extension.basicConstraints, new BasicConstraints(true));
      server = sign(new X500Name("CN=localhost"), serverKeys, Extension.subjectAlternativeName,
          new GeneralNames(new GeneralName[] {new GeneralName(GeneralName.dNSName, "localhost")}));
    }

    void writeClient(Path to) throws Exception {
      KeyPair keys = rsa();
      X509Certificate client = sign(new X500Name("CN=client"), keys, Extension.extendedKeyUsage,
          new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
      write(to.resolve("ca.pem"), ca);
      write(to.resolve("cert.pem"), client);
      write(to.resolve("key.pem"), keys.getPrivate()); // "RSA PRIVATE KEY", OpenSSL's traditional form
      assertTrue(Files.readString(to.resolve("key.pem")).startsWith("-----BEGIN RSA PRIVATE KEY-----"));
    }

    SSLContext serverContext() throws Exception {
      KeyStore identity = KeyStore.getInstance("PKCS12");
      identity.load(null, null);
      identity.setKeyEntry("engine", serverKeys.getPrivate(), new char[0], new X509Certificate[] {server, ca});
      KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keys.init(identity, new char[0]);
      KeyStore trust = KeyStore.getInstance("PKCS12");
      trust.load(null, null);
      trust.setCertificateEntry("ca", ca);
      TrustManagerFactory trusted = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trusted.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys.getKeyManagers(), trusted.getTrustManagers(), null);
      return context;
    }

    private X509Certificate sign(X500Name subject, KeyPair keys, org.bouncycastle.asn1.ASN1ObjectIdentifier ext,
        org.bouncycastle.asn1.ASN1Encodable value) throws Exception {
      Instant now = Instant.now();
      var builder = new JcaX509v3CertificateBuilder(new X500Name("CN=test engine CA"),
          BigInteger.valueOf(now.toEpochMilli()).add(BigInteger.valueOf(System.nanoTime() & 0xffff)),
          Date.from(now.minusSeconds(60)), Date.from(now.plus(Duration.ofDays(1))), subject, keys.getPublic());
      builder.addExtension(ext, ext.equals(Extension.basicConstraints), value);
      return new JcaX509CertificateConverter().getCertificate(
          builder.build(new JcaContentSignerBuilder("SHA256withRSA").build(caKeys.getPrivate())));
    }

    private static KeyPair rsa() {
      try {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    private static void write(Path file, Object pem) throws IOException {
      try (JcaPEMWriter w = new JcaPEMWriter(Files.newBufferedWriter(file))) {
        w.writeObject(pem);
      }
    }
  }

  /** A tcp listener on loopback (TLS or plain), each connection piped to the engine's unix socket. */
  private static final class EngineFront implements AutoCloseable {
    private final ServerSocket server;
    private final UnixDomainSocketAddress engine;
    private final AtomicInteger connections = new AtomicInteger();

    EngineFront(ServerSocket server, URI engineHost) {
      this.server = server;
      engine = UnixDomainSocketAddress.of(engineHost.getPath());
      Thread.ofVirtual().name("engine-front").start(this::accept);
    }

    int port() {
      return server.getLocalPort();
    }

    int connections() {
      return connections.get();
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          Socket client = server.accept();
          Thread.ofVirtual().start(() -> serve(client));
        } catch (IOException closed) {
          return;
        }
      }
    }

    private void serve(Socket client) {
      try (client; SocketChannel upstream = SocketChannel.open(engine)) {
        if (client instanceof SSLSocket ssl) ssl.startHandshake(); // a client the front does not trust fails here
        connections.incrementAndGet();
        InputStream fromClient = client.getInputStream();
        Thread back = Thread.ofVirtual().start(() -> pipe(Channels.newInputStream(upstream), outputOf(client)));
        pipe(fromClient, Channels.newOutputStream(upstream));
        back.join();
      } catch (IOException | InterruptedException e) {
        // a refused handshake or a closed connection ends this one
      }
    }

    private static OutputStream outputOf(Socket s) {
      try {
        return s.getOutputStream();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }

    private static void pipe(InputStream in, OutputStream out) {
      try {
        in.transferTo(out);
        out.flush();
      } catch (IOException ended) {
        // the other side closed
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
