package gantry.agent;

import gantry.security.tls.TestPki;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.agent.health.NetworkProber;
import gantry.agent.metrics.MetricsServer;
import gantry.agent.session.GrpcTransport;
import gantry.agent.session.ScriptedManager;
import gantry.security.Role;
import gantry.security.tls.GrpcTls;
import gantry.security.tls.TlsFiles;
import gantry.security.tls.TlsMaterial;
import gantry.v1.Node;
import gantry.v1.RegisterNodeRequest;
import io.grpc.Status;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The agent's side of mutual TLS over real sockets: its sessions to a TLS manager present its
 * certificate, it refuses a "manager" without a server-role certificate, and its {@code /metrics}
 * is HTTPS that requires a client certificate and takes reloaded files without a restart.
 */
class AgentTlsTest {
  @TempDir Path dir;

  private TestPki pki;
  private final List<AutoCloseable> closeLast = new ArrayList<>();

  @BeforeEach
  void certificates() throws Exception {
    pki = TestPki.create(dir.resolve("pki"));
  }

  @AfterEach
  void cleanUp() throws Exception {
    for (AutoCloseable c : closeLast.reversed()) c.close();
  }

  private <T extends AutoCloseable> T track(T closeable) {
    closeLast.add(closeable);
    return closeable;
  }

  private ScriptedManager manager(Role role, String name) throws Exception {
    return track(new ScriptedManager(0, GrpcTls.server(pki.material(role, name))));
  }

  private Agent agent(ScriptedManager manager, TlsMaterial tls) {
    AgentConfig config = AgentConfig.of("node-a", List.of(manager.address()), dir.resolve("data")).withDriver("sim");
    return track(Agent.start(config, track(new GrpcTransport(tls)), new NetworkProber(), Clock.systemUTC()));
  }

  private static RegisterNodeRequest registration() {
    return RegisterNodeRequest.newBuilder().setNode(Node.newBuilder().setId("id-a").setName("node-a")).build();
  }

  @Test
  void theAgentHoldsItsSessionOverMutualTls() throws Exception {
    ScriptedManager manager = manager(Role.SERVER, "m1");
    agent(manager, pki.material(Role.AGENT, "node-a"));
    Waits.waitFor("a session opened over TLS", Duration.ofSeconds(15)).until(() -> !manager.opens.isEmpty());
    assertEquals(1, manager.registrations.size());
    assertTrue(manager.callers.stream().allMatch("CN=node-a"::equals), manager.callers.toString());
  }

  @Test
  void aPlaintextAgentCannotReachATlsManager() throws Exception {
    ScriptedManager manager = manager(Role.SERVER, "m1");
    GrpcTransport plaintext = track(new GrpcTransport());
    var failed = assertThrows(ExecutionException.class,
        () -> plaintext.register(manager.address(), registration(), Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS));
    assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(failed.getCause()).getCode(), failed.toString());
    assertEquals(List.of(), manager.registrations);
  }

  @Test
  void theAgentRefusesAManagerWithoutAServerCertificate() throws Exception {
    ScriptedManager impostor = manager(Role.AGENT, "m1");
    GrpcTransport transport = track(new GrpcTransport(pki.material(Role.AGENT, "node-a")));
    var failed = assertThrows(ExecutionException.class,
        () -> transport.register(impostor.address(), registration(), Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS));
    assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(failed.getCause()).getCode(), failed.toString());
    assertTrue(causes(failed, SSLException.class), failed.toString());
    assertEquals(List.of(), impostor.registrations);
  }

  @Test
  void metricsAreHttpsWithAClientCertificateAndTakeAReload() throws Exception {
    ScriptedManager manager = manager(Role.SERVER, "m1");
    TlsFiles files = pki.issue(Role.AGENT, "node-a", "127.0.0.1");
    TlsMaterial tls = TlsMaterial.load(files);
    Agent agent = agent(manager, tls);
    MetricsServer metrics = track(MetricsServer.start(new InetSocketAddress("127.0.0.1", 0), agent, Optional.of(tls)));
    URI uri = URI.create("https://127.0.0.1:" + metrics.port() + "/metrics");

    TlsMaterial prometheus = pki.material(Role.CLIENT, "prometheus");
    try (HttpClient client = HttpClient.newBuilder().sslContext(prometheus.jdkContext()).build()) {
      HttpResponse<String> scrape = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, scrape.statusCode());
      assertTrue(scrape.body().contains("jvm_"), scrape.body());
    }
    SSLContext noCertificate = SSLContext.getInstance("TLSv1.3");
    noCertificate.init(null, new javax.net.ssl.TrustManager[] {prometheus.trustManager()}, null);
    // TLS 1.3: the client's side of the handshake is done before the server checks the (missing)
    // certificate, so the refusal (a certificate_required alert) arrives on the first read
    try (SSLSocket socket = (SSLSocket) noCertificate.getSocketFactory().createSocket("127.0.0.1", metrics.port())) {
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      var refused = assertThrows(IOException.class, () -> {
        socket.getOutputStream().write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        socket.getInputStream().read();
      });
      // the alert, or a reset when the server closed before the request was written: never an answer
      if (refused instanceof SSLException) assertTrue(refused.getMessage().contains("certificate_required"), refused.toString());
    }
    assertEquals("CN=node-a", served(metrics.port(), prometheus).getSubjectX500Principal().getName());
    pki.issueAs(Role.AGENT, "node-a-renewed", "node-a", "127.0.0.1");
    assertTrue(tls.reload());
    assertEquals("CN=node-a-renewed", served(metrics.port(), prometheus).getSubjectX500Principal().getName());
  }

  /** The certificate a TLS server on the port presents to {@code as}. */
  private static X509Certificate served(int port, TlsMaterial as) throws IOException {
    try (SSLSocket socket = (SSLSocket) as.jdkContext().getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.startHandshake();
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }

  private static boolean causes(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) return true;
    }
    return false;
  }
}
