package gantry.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.security.Role;
import gantry.security.tls.TestPki;
import gantry.v1.ControlServiceGrpc;
import gantry.v1.ListPeersRequest;
import gantry.v1.ListPeersResponse;
import gantry.v1.Peer;
import io.grpc.Contexts;
import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import io.netty.handler.ssl.ClientAuth;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a client's TLS and token settings do on the wire: against a manager-like server that
 * requires a client certificate of the cluster CA, the control client gets through with its
 * certificate and sends its token; plaintext and a certificate of another CA do not get through.
 * And how the flags and variables combine, with the error that names the missing one.
 */
class ManagerCredentialsTest {
  @TempDir
  static Path tmp;

  static Server server;
  static Path pki;
  static Path rogue;
  static TestPki cluster;

  private static final Context.Key<String> SEEN = Context.key("seen");

  @BeforeAll
  static void start() throws Exception {
    pki = tmp.resolve("pki");
    rogue = tmp.resolve("rogue");
    cluster = TestPki.create(pki);
    cluster.issue(Role.SERVER, "m1");
    cluster.issue(Role.CLIENT, "alice");
    TestPki.create(rogue).issue(Role.CLIENT, "mallory");
    var tls = GrpcSslContexts.forServer(pki.resolve("m1.pem").toFile(), pki.resolve("m1-key.pem").toFile())
        .trustManager(pki.resolve("ca.pem").toFile()).clientAuth(ClientAuth.REQUIRE).protocols("TLSv1.3").build();
    ServerInterceptor seen = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        String cn;
        try {
          cn = ((X509Certificate) session.getPeerCertificates()[0]).getSubjectX500Principal().getName();
        } catch (javax.net.ssl.SSLPeerUnverifiedException e) {
          cn = "none";
        }
        String token = headers.get(ManagerCredentials.TOKEN_HEADER);
        return Contexts.interceptCall(Context.current().withValue(SEEN, cn + " token=" + token), call, headers, next);
      }
    };
    var control = new ControlServiceGrpc.ControlServiceImplBase() {
      @Override
      public void listPeers(ListPeersRequest request, StreamObserver<ListPeersResponse> out) {
        out.onNext(ListPeersResponse.newBuilder().addPeers(Peer.newBuilder().setId(SEEN.get())).build());
        out.onCompleted();
      }
    };
    server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).sslContext(tls)
        .addService(ServerInterceptors.intercept(control, seen)).build().start();
  }


  @AfterAll
  static void stop() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private static String whoAmI(ManagerCredentials credentials) {
    try (var client = new ControlClient(List.of("127.0.0.1:" + server.getPort()), Duration.ofSeconds(5), credentials)) {
      return client.call(stub -> stub.listPeers(ListPeersRequest.getDefaultInstance())).getPeers(0).getId();
    }
  }

  @Test
  void aClientCertificateOfTheClusterGetsThroughAndItsTokenIsSent() {
    var credentials = ManagerCredentials.of(pki.resolve("ca.pem").toString(), pki.resolve("alice.pem").toString(),
        pki.resolve("alice-key.pem").toString(), "s3cret-token", Map.of());
    assertEquals("CN=alice token=s3cret-token", whoAmI(credentials));
    assertFalse(credentials.toString().contains("s3cret"), credentials.toString());
  }

  @Test
  void theVariablesStandInForTheFlags() {
    var credentials = ManagerCredentials.of(null, "", null, null, Map.of(
        ManagerCredentials.ENV_CA, pki.resolve("ca.pem").toString(),
        ManagerCredentials.ENV_CERT, pki.resolve("alice.pem").toString(),
        ManagerCredentials.ENV_KEY, pki.resolve("alice-key.pem").toString(),
        ManagerCredentials.ENV_TOKEN, "from-env"));
    assertTrue(credentials.isTls());
    assertEquals("CN=alice token=from-env", whoAmI(credentials));
  }

  @Test
  void plaintextAndAForeignCertificateAreTurnedAway() {
    assertThrows(NoManagerReachableException.class, () -> whoAmI(ManagerCredentials.plaintext()));
    // mallory's CA is not the cluster's, and alice's client does not trust rogue's server either
    var foreign = ManagerCredentials.tls(pki.resolve("ca.pem"), rogue.resolve("mallory.pem"), rogue.resolve("mallory-key.pem"));
    assertThrows(NoManagerReachableException.class, () -> whoAmI(foreign));
  }

  /** An agent's certificate of the cluster CA, naming 127.0.0.1, still cannot pose as a manager. */
  @Test
  void onlyAServerCertificateIsAManager() throws Exception {
    var poserFiles = cluster.issue(Role.AGENT, "poser", "127.0.0.1");
    var tls = GrpcSslContexts.forServer(poserFiles.cert().toFile(), poserFiles.key().toFile())
        .trustManager(pki.resolve("ca.pem").toFile()).clientAuth(ClientAuth.REQUIRE).protocols("TLSv1.3").build();
    var poser = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)).sslContext(tls)
        .addService(new ControlServiceGrpc.ControlServiceImplBase() {
          @Override
          public void listPeers(ListPeersRequest request, StreamObserver<ListPeersResponse> out) {
            out.onNext(ListPeersResponse.getDefaultInstance());
            out.onCompleted();
          }
        }).build().start();
    try (var client = new ControlClient(List.of("127.0.0.1:" + poser.getPort()), Duration.ofSeconds(5),
        ManagerCredentials.tls(pki.resolve("ca.pem"), pki.resolve("alice.pem"), pki.resolve("alice-key.pem")))) {
      var e = assertThrows(NoManagerReachableException.class,
          () -> client.call(stub -> stub.listPeers(ListPeersRequest.getDefaultInstance())));
      assertTrue(String.valueOf(e.getCause()).contains("server.gantry") || describe(e).contains("server.gantry"), describe(e));
    } finally {
      poser.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static String describe(Throwable e) {
    StringBuilder out = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) out.append(t).append(" <- ");
    return out.toString();
  }

  @Test
  void halfATlsSetupNamesWhatIsMissing() {
    var e = assertThrows(IllegalArgumentException.class, () -> ManagerCredentials.of(pki.resolve("ca.pem").toString(),
        null, pki.resolve("alice-key.pem").toString(), null, Map.of()));
    assertTrue(e.getMessage().startsWith("--tls-cert: missing (or GANTRY_TLS_CERT)"), e.getMessage());
    var unreadable = assertThrows(IllegalArgumentException.class, () -> ManagerCredentials.of("/nonexistent/ca.pem",
        pki.resolve("alice.pem").toString(), pki.resolve("alice-key.pem").toString(), null, Map.of()));
    assertEquals("--tls-ca: cannot read /nonexistent/ca.pem", unreadable.getMessage());
    var token = assertThrows(IllegalArgumentException.class, () -> ManagerCredentials.plaintext().withToken("a b"));
    assertTrue(token.getMessage().startsWith("token:"), token.getMessage());
  }
}
