package gantry.node;

import gantry.security.tls.TestPki;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.node.config.ServerConfigLoader;
import gantry.security.Role;
import gantry.security.tls.GrpcTls;
import gantry.security.tls.HangupReload;
import gantry.security.tls.TlsFiles;
import gantry.security.tls.TlsMaterial;
import gantry.v1.ControlServiceGrpc;
import gantry.v1.DispatcherServiceGrpc;
import gantry.v1.GetJobRequest;
import gantry.v1.ListJobsRequest;
import gantry.v1.Node;
import gantry.v1.RegisterJobRequest;
import gantry.v1.RegisterNodeRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS on every port of a real manager (Ratis, gRPC, Jetty on loopback): holders of cluster
 * certificates are served; plaintext, another CA's certificates and wrong roles are refused at the
 * handshake; the dispatcher binds a session to the certificate's name; a reload serves new files
 * without a restart.
 */
class TlsManagerTest {
  @TempDir Path dir;

  private TestPki pki;
  private TestPki rogue;
  private final List<ManagerPeer> peers = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();

  @BeforeEach
  void certificates() throws Exception {
    pki = TestPki.create(dir.resolve("pki"));
    rogue = TestPki.create(dir.resolve("rogue"));
  }

  @AfterEach
  void close() throws InterruptedException {
    for (ManagedChannel ch : channels) ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    peers.forEach(ManagerPeer::close);
  }

  private record Ports(int raft, int grpc, int http) {}

  private ManagerPeer start(String id, Ports ports, String peersFlag, boolean http) throws Exception {
    TlsFiles files = pki.issue(Role.SERVER, id);
    Map<String, String> values = new HashMap<>(Map.of("id", id, "data_dir", dir.resolve(id).toString(), "peers", peersFlag,
        "grpc_addr", "127.0.0.1:" + ports.grpc(), "http_addr", http ? "127.0.0.1:" + ports.http() : "",
        "tls_ca", files.ca().toString(), "tls_cert", files.cert().toString(), "tls_key", files.key().toString()));
    ManagerPeer peer = ManagerPeer.start(ServerConfigLoader.load(null, values));
    peers.add(peer);
    return peer;
  }

  private static Ports ports() throws IOException {
    return new Ports(FreePorts.next(), FreePorts.next(), FreePorts.next());
  }

  private ManagerPeer single(Ports ports) throws Exception {
    return start("m1", ports, "m1=127.0.0.1:" + ports.raft(), true);
  }

  private ManagedChannel channel(int port, SslContext tls) {
    ManagedChannel ch = NettyChannelBuilder.forAddress("127.0.0.1", port).sslContext(tls).build();
    channels.add(ch);
    return ch;
  }

  private ControlServiceGrpc.ControlServiceBlockingStub control(int port, SslContext tls) {
    return ControlServiceGrpc.newBlockingStub(channel(port, tls)).withDeadlineAfter(20, TimeUnit.SECONDS);
  }

  /** A client that trusts the cluster CA but presents a certificate another CA signed. */
  private SslContext stranger() throws Exception {
    TlsMaterial cluster = pki.material(Role.CLIENT, "anyone");
    TlsMaterial mallory = rogue.material(Role.CLIENT, "mallory");
    return GrpcSslContexts.configure(io.netty.handler.ssl.SslContextBuilder.forClient()
        .keyManager(mallory.keyManager()).trustManager(cluster.trustManager(Set.of(Role.SERVER))), SslProvider.JDK)
        .protocols("TLSv1.3").build();
  }

  @Test
  void aClientCertificateIsServedAndPlaintextOrAnotherCaIsRefusedAtTheHandshake() throws Exception {
    Ports ports = ports();
    single(ports);
    TlsMaterial alice = pki.material(Role.CLIENT, "alice");
    var stub = ControlServiceGrpc.newBlockingStub(channel(ports.grpc(), GrpcTls.client(alice)));
    assertEquals(0, eventually(() -> stub.withDeadlineAfter(5, TimeUnit.SECONDS)
        .listJobs(ListJobsRequest.getDefaultInstance()).getJobsCount()));

    ManagedChannel plain = ManagedChannelBuilder.forAddress("127.0.0.1", ports.grpc()).usePlaintext().build();
    channels.add(plain);
    var plaintext = assertThrows(StatusRuntimeException.class, () -> ControlServiceGrpc.newBlockingStub(plain)
        .withDeadlineAfter(10, TimeUnit.SECONDS).listJobs(ListJobsRequest.getDefaultInstance()));
    assertEquals(Status.Code.UNAVAILABLE, plaintext.getStatus().getCode(), plaintext.toString());

    var strange = assertThrows(StatusRuntimeException.class,
        () -> control(ports.grpc(), stranger()).listJobs(ListJobsRequest.getDefaultInstance()));
    assertEquals(Status.Code.UNAVAILABLE, strange.getStatus().getCode(), strange.toString());
    assertHandshakeFailure(strange);
  }

  @Test
  void aManagerWithoutAServerCertificateDoesNotStart() throws Exception {
    TlsFiles agent = pki.issue(Role.AGENT, "a1");
    Ports ports = ports();
    var refused = assertThrows(IOException.class, () -> ManagerPeer.start(ServerConfigLoader.load(null, Map.of(
        "id", "m1", "data_dir", dir.resolve("m1").toString(), "peers", "m1=127.0.0.1:" + ports.raft(),
        "grpc_addr", "127.0.0.1:" + ports.grpc(), "http_addr", "",
        "tls_ca", agent.ca().toString(), "tls_cert", agent.cert().toString(), "tls_key", agent.key().toString()))));
    assertEquals("tls_cert: " + agent.cert() + " has role agent; a manager needs a server certificate "
        + "(gantry tls cert create --role server)", refused.getMessage());
  }

  @Test
  void theRaftPortTakesOnlyServerCertificates() throws Exception {
    Ports ports = ports();
    single(ports);
    // Ratis' OpenSSL engine reports the trust manager's refusal as an internal_error alert (or the
    // client sees the connection reset first); a closed connection without either fails the read's assert
    assertThrows(IOException.class, () -> handshakeAndRead(ports.raft(), pki.material(Role.AGENT, "a1")));
    assertThrows(IOException.class, () -> handshakeAndRead(ports.raft(), pki.material(Role.CLIENT, "alice")));
    assertThrows(IOException.class, () -> handshakeAndRead(ports.raft(), rogue.material(Role.SERVER, "m1")));
    X509Certificate served = handshakeAndRead(ports.raft(), pki.material(Role.SERVER, "m9"));
    assertEquals("CN=m1", served.getSubjectX500Principal().getName());
  }

  /**
   * Opens a TLS 1.3 connection, completes the handshake and reads the first bytes the server
   * sends (gRPC's HTTP/2 settings): in TLS 1.3 the server refuses a client certificate after the
   * client's side of the handshake is done, so the refusal arrives on the first read.
   *
   * @return the certificate the server presented
   */
  private static X509Certificate handshakeAndRead(int port, TlsMaterial as) throws IOException {
    SSLContext context = as.jdkContext();
    try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      javax.net.ssl.SSLParameters params = socket.getSSLParameters();
      params.setApplicationProtocols(new String[] {"h2"}); // gRPC servers close a connection without ALPN h2
      socket.setSSLParameters(params);
      socket.startHandshake();
      // an HTTP/2 client preface makes any gRPC server answer with its settings
      socket.getOutputStream().write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      socket.getOutputStream().write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0});
      socket.getOutputStream().flush();
      int first = socket.getInputStream().read();
      assertTrue(first >= 0, "the server closed the connection without a word");
      return (X509Certificate) socket.getSession().getPeerCertificates()[0];
    }
  }

  @Test
  void threeTlsPeersElectALeaderAndReplicateAWrite() throws Exception {
    Ports[] ports = {ports(), ports(), ports()};
    String peersFlag = "m1=127.0.0.1:" + ports[0].raft() + ",m2=127.0.0.1:" + ports[1].raft() + ",m3=127.0.0.1:" + ports[2].raft();
    for (int i = 0; i < 3; i++) start("m" + (i + 1), ports[i], peersFlag, false);
    TlsMaterial alice = pki.material(Role.CLIENT, "alice");
    var written = control(ports[0].grpc(), GrpcTls.client(alice))
        .registerJob(RegisterJobRequest.newBuilder().setSpec(InProcessClusterTest.job("web", 2)).build());
    assertEquals(1, written.getJob().getVersion());
    var third = ControlServiceGrpc.newBlockingStub(channel(ports[2].grpc(), GrpcTls.client(alice)));
    // the third peer may not know the leader yet when the first two have committed
    var read = eventually(() -> third.withDeadlineAfter(5, TimeUnit.SECONDS).getJob(GetJobRequest.newBuilder().setName("web").build()));
    assertEquals(2, read.getJob().getSpec().getGroups(0).getCount());
  }

  @Test
  void httpsAnswersAClientCertificateAndRefusesAClientWithout() throws Exception {
    Ports ports = ports();
    ManagerPeer peer = single(ports);
    TlsMaterial alice = pki.material(Role.CLIENT, "alice");
    URI leader = URI.create("https://" + peer.httpAddress() + "/v1/status/leader");
    try (HttpClient client = HttpClient.newBuilder().sslContext(alice.jdkContext()).build()) {
      HttpResponse<String> answer = awaitLeader(client, leader);
      assertEquals(200, answer.statusCode(), answer.body());
      assertTrue(answer.body().contains("m1"), answer.body());
    }
    SSLContext noCertificate = SSLContext.getInstance("TLSv1.3");
    noCertificate.init(null, new javax.net.ssl.TrustManager[] {alice.trustManager()}, null);
    try (HttpClient anonymous = HttpClient.newBuilder().sslContext(noCertificate).build()) {
      var refused = assertThrows(IOException.class,
          () -> anonymous.send(HttpRequest.newBuilder(leader).build(), HttpResponse.BodyHandlers.ofString()));
      assertTrue(causes(refused, SSLException.class), refused.toString());
    }
  }

  private static HttpResponse<String> awaitLeader(HttpClient client, URI leader) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      HttpResponse<String> answer = client.send(HttpRequest.newBuilder(leader).build(), HttpResponse.BodyHandlers.ofString());
      if ((answer.statusCode() == 200 && answer.body().contains("m1")) || System.nanoTime() > end) return answer;
      Thread.sleep(100);
    }
  }

  @Test
  void aReloadServesTheNewCertificateOnEveryPortWithoutARestart() throws Exception {
    Ports ports = ports();
    ManagerPeer peer = single(ports);
    TlsMaterial alice = pki.material(Role.CLIENT, "alice");
    TlsMaterial m9 = pki.material(Role.SERVER, "m9");
    assertEquals("CN=m1", handshakeAndRead(ports.grpc(), alice).getSubjectX500Principal().getName());

    // the operator renews: new files under the same paths, then SIGHUP
    pki.issueAs(Role.SERVER, "m1-renewed", "m1");
    HangupReload.reloadAll();

    assertEquals("CN=m1-renewed", handshakeAndRead(ports.grpc(), alice).getSubjectX500Principal().getName());
    assertEquals("CN=m1-renewed", handshakeAndRead(ports.raft(), m9).getSubjectX500Principal().getName());
    String host = peer.httpAddress().substring(0, peer.httpAddress().lastIndexOf(':'));
    try (SSLSocket socket = (SSLSocket) alice.jdkContext().getSocketFactory().createSocket(host, ports.http())) {
      socket.startHandshake();
      assertEquals("CN=m1-renewed",
          ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSubjectX500Principal().getName());
    }
    var stub = ControlServiceGrpc.newBlockingStub(channel(ports.grpc(), GrpcTls.client(alice)));
    var job = eventually(() -> stub.withDeadlineAfter(10, TimeUnit.SECONDS)
        .registerJob(RegisterJobRequest.newBuilder().setSpec(InProcessClusterTest.job("after", 1)).build()));
    assertEquals(1, job.getJob().getVersion(), "writes go through Raft (this peer's client to its server) with the new certificate");

    // a broken set (a key that is not the certificate's) keeps the one in use
    Files.copy(pki.issue(Role.SERVER, "other").key(), dir.resolve("pki").resolve("m1-key.pem"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    HangupReload.reloadAll();
    assertEquals("CN=m1-renewed", handshakeAndRead(ports.grpc(), alice).getSubjectX500Principal().getName());
  }

  @Test
  void anAgentSessionIsBoundToTheNameInItsCertificate() throws Exception {
    Ports ports = ports();
    single(ports);
    var a1 = DispatcherServiceGrpc.newBlockingStub(channel(ports.grpc(), GrpcTls.client(pki.material(Role.AGENT, "a1"))))
        .withDeadlineAfter(20, TimeUnit.SECONDS);
    var registered = awaitRegistered(a1, register("id-a1", "a1"));
    assertEquals("id-a1", registered.getNodeId());

    var posing = assertThrows(StatusRuntimeException.class, () -> a1.register(register("id-a2", "a2")));
    assertEquals(Status.Code.PERMISSION_DENIED, posing.getStatus().getCode());
    assertEquals("permission denied: the certificate names \"a1\", not node \"a2\"", posing.getStatus().getDescription());

    var user = DispatcherServiceGrpc.newBlockingStub(channel(ports.grpc(), GrpcTls.client(pki.material(Role.CLIENT, "a1"))))
        .withDeadlineAfter(20, TimeUnit.SECONDS);
    var client = assertThrows(StatusRuntimeException.class, () -> user.register(register("id-a1", "a1")));
    assertEquals(Status.Code.PERMISSION_DENIED, client.getStatus().getCode());
    assertEquals("permission denied: a client certificate cannot open an agent session (role agent or server needed)",
        client.getStatus().getDescription());

    // a2's certificate cannot open the session of a1's node id
    var a2 = DispatcherServiceGrpc.newStub(channel(ports.grpc(), GrpcTls.client(pki.material(Role.AGENT, "a2"))));
    var closed = new java.util.concurrent.CompletableFuture<Throwable>();
    var requests = a2.session(new io.grpc.stub.StreamObserver<>() {
      @Override
      public void onNext(gantry.v1.ManagerMessage m) {}

      @Override
      public void onError(Throwable t) {
        closed.complete(t);
      }

      @Override
      public void onCompleted() {
        closed.complete(null);
      }
    });
    requests.onNext(gantry.v1.AgentMessage.newBuilder().setOpen(gantry.v1.SessionOpen.newBuilder().setNodeId("id-a1")).build());
    Status session = Status.fromThrowable(closed.get(20, TimeUnit.SECONDS));
    assertEquals(Status.Code.PERMISSION_DENIED, session.getCode());
    assertEquals("permission denied: the certificate names \"a2\", not node \"a1\"", session.getDescription());
  }

  private static RegisterNodeRequest register(String id, String name) {
    return RegisterNodeRequest.newBuilder().setNode(Node.newBuilder().setId(id).setName(name)).build();
  }

  /** Registers once the single peer's leader loop is open (it answers "not leader" until then). */
  private static gantry.v1.RegisterNodeResponse awaitRegistered(DispatcherServiceGrpc.DispatcherServiceBlockingStub stub,
      RegisterNodeRequest request) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try {
        return stub.register(request);
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.PERMISSION_DENIED || System.nanoTime() > end) throw e;
        Thread.sleep(100);
      }
    }
  }

  /** The answer of a call once the peer it asks knows its leader (UNAVAILABLE until then). */
  private static <T> T eventually(java.util.function.Supplier<T> call) throws InterruptedException {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (true) {
      try {
        return call.get();
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() != Status.Code.UNAVAILABLE || System.nanoTime() > end) throw e;
        Thread.sleep(100);
      }
    }
  }

  private static void assertHandshakeFailure(Throwable e) {
    assertTrue(causes(e, SSLHandshakeException.class) || causes(e, SSLException.class), "not a TLS handshake failure: " + e);
  }

  private static boolean causes(Throwable e, Class<? extends Throwable> type) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (type.isInstance(t)) return true;
    }
    return false;
  }
}
