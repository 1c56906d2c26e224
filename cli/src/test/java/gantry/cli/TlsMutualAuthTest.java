package gantry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.security.CertificateAndKey;
import gantry.security.PemFiles;
import gantry.security.Role;
import io.grpc.CallOptions;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedKeyManager;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The files {@code gantry tls} writes are enough for mutual TLS 1.3 over gRPC, as Netty reads them:
 * a server that requires a client certificate from the cluster CA answers a client holding one (and
 * sees its role), and refuses at the handshake a client whose certificate another CA signed, a
 * client without one, and a server certificate without serverAuth.
 */
class TlsMutualAuthTest {
  @TempDir
  static Path tmp;

  static Path pki;
  static Path rogue;

  private final List<Server> servers = new ArrayList<>();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private final AtomicInteger answered = new AtomicInteger();

  private static final Context.Key<String> PEER = Context.key("peer");

  private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  /** Answers with what the handshake told the server: the peer's role and the TLS version. */
  private static final MethodDescriptor<byte[], byte[]> WHO_AM_I = MethodDescriptor.<byte[], byte[]>newBuilder()
      .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("gantry.test.Tls/WhoAmI")
      .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();

  @BeforeAll
  static void certificates() {
    pki = tmp.resolve("pki");
    rogue = tmp.resolve("rogue");
    run("tls", "ca", "create", "--dir", pki.toString());
    run("tls", "cert", "create", "--dir", pki.toString(), "--role", "server", "--name", "m1");
    run("tls", "cert", "create", "--dir", pki.toString(), "--role", "agent", "--name", "a1");
    run("tls", "cert", "create", "--dir", pki.toString(), "--role", "client", "--name", "alice");
    // A client certificate for 127.0.0.1: everything a server certificate needs except serverAuth.
    run("tls", "cert", "create", "--dir", pki.toString(), "--role", "client", "--name", "not-a-server", "--ip", "127.0.0.1");
    run("tls", "ca", "create", "--dir", rogue.toString());
    run("tls", "cert", "create", "--dir", rogue.toString(), "--role", "client", "--name", "mallory");
  }

  private static void run(String... args) {
    var result = Cli.run(args);
    assertEquals(0, result.exitCode(), result.err());
  }

  @AfterEach
  void close() throws InterruptedException {
    for (ManagedChannel channel : channels) channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    for (Server server : servers) server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  /** A TLS 1.3-only server with the named certificate that requires a client certificate from the cluster CA. */
  private int server(String name) throws IOException {
    SslContext tls = GrpcSslContexts.forServer(pki.resolve(name + ".pem").toFile(), pki.resolve(name + "-key.pem").toFile())
        .trustManager(pki.resolve("ca.pem").toFile())
        .clientAuth(ClientAuth.REQUIRE)
        .protocols("TLSv1.3")
        .build();
    ServerInterceptor handshake = new ServerInterceptor() {
      @Override
      public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
        SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
        String peer;
        try {
          peer = Role.of((X509Certificate) session.getPeerCertificates()[0]).id() + " " + session.getProtocol();
        } catch (CertificateException | javax.net.ssl.SSLPeerUnverifiedException e) {
          peer = "refused: " + e.getMessage();
        }
        return Contexts.interceptCall(Context.current().withValue(PEER, peer), call, headers, next);
      }
    };
    ServerServiceDefinition service = ServerServiceDefinition.builder("gantry.test.Tls")
        .addMethod(WHO_AM_I, ServerCalls.asyncUnaryCall((request, response) -> {
          answered.incrementAndGet();
          response.onNext(PEER.get().getBytes(StandardCharsets.UTF_8));
          response.onCompleted();
        }))
        .build();
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
        .sslContext(tls)
        .addService(ServerInterceptors.intercept(service, handshake))
        .build()
        .start();
    servers.add(server);
    return server.getPort();
  }

  /**
   * Calls WhoAmI on 127.0.0.1:port over TLS 1.3, trusting the cluster CA and presenting {@code dir}/{@code name}.pem
   * (none if null). The key manager presents it even when the server asks for certificates of another CA; the
   * JDK's own would then send none, and the server's check of the chain would go untested.
   */
  private String call(int port, Path dir, String name) throws Exception {
    var tls = GrpcSslContexts.forClient().trustManager(pki.resolve("ca.pem").toFile()).protocols("TLSv1.3");
    if (name != null) tls.keyManager(presentAlways(dir.resolve(name + ".pem"), dir.resolve(name + "-key.pem")));
    ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", port).sslContext(tls.build()).build();
    channels.add(channel);
    byte[] answer = ClientCalls.blockingUnaryCall(channel, WHO_AM_I, CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
        new byte[0]);
    return new String(answer, StandardCharsets.UTF_8);
  }

  private static X509ExtendedKeyManager presentAlways(Path certificate, Path key) throws Exception {
    CertificateAndKey pair = PemFiles.read(certificate, key);
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    char[] password = "test".toCharArray();
    store.setKeyEntry("me", pair.privateKey(), password, new java.security.cert.Certificate[] {pair.certificate()});
    KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(store, password);
    X509ExtendedKeyManager jdk = (X509ExtendedKeyManager) factory.getKeyManagers()[0];
    return new X509ExtendedKeyManager() {
      @Override
      public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return "me";
      }

      @Override
      public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return "me";
      }

      @Override
      public String[] getClientAliases(String keyType, Principal[] issuers) {
        return new String[] {"me"};
      }

      @Override
      public String[] getServerAliases(String keyType, Principal[] issuers) {
        return null;
      }

      @Override
      public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return null;
      }

      @Override
      public X509Certificate[] getCertificateChain(String alias) {
        return jdk.getCertificateChain(alias);
      }

      @Override
      public PrivateKey getPrivateKey(String alias) {
        return jdk.getPrivateKey(alias);
      }
    };
  }

  @Test
  void holdersOfClusterCertificatesTalkOverTls13AndTheServerSeesTheirRole() throws Exception {
    int port = server("m1");
    assertEquals("client TLSv1.3", call(port, pki, "alice"));
    assertEquals("agent TLSv1.3", call(port, pki, "a1"));
    assertEquals("server TLSv1.3", call(port, pki, "m1"), "a peer dials a peer with its own certificate");
    assertEquals(3, answered.get());
  }

  @Test
  void aClientFromAnotherCaOrWithoutACertificateIsRefusedAtTheHandshake() throws Exception {
    int port = server("m1");
    var stranger = assertThrows(StatusRuntimeException.class, () -> call(port, rogue, "mallory"));
    assertEquals(Status.Code.UNAVAILABLE, stranger.getStatus().getCode(), stranger.toString());
    assertHandshakeFailure(stranger, "certificate_unknown");
    var anonymous = assertThrows(StatusRuntimeException.class, () -> call(port, pki, null));
    assertEquals(Status.Code.UNAVAILABLE, anonymous.getStatus().getCode(), anonymous.toString());
    assertHandshakeFailure(anonymous, "certificate_required");
    assertEquals(0, answered.get(), "no call reached the service");
    assertEquals("client TLSv1.3", call(port, pki, "alice"), "the server still serves the cluster's clients");
  }

  @Test
  void aCertificateWithoutServerAuthCannotServe() throws Exception {
    int port = server("not-a-server");
    var refused = assertThrows(StatusRuntimeException.class, () -> call(port, pki, "alice"));
    assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode(), refused.toString());
    assertHandshakeFailure(refused, "Extended key usage does not permit use for TLS server authentication");
    assertEquals(0, answered.get());
  }

  /** The call failed in the TLS handshake, for the reason given (the TLS alert, or the JDK's check). */
  private static void assertHandshakeFailure(StatusRuntimeException e, String reason) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof SSLHandshakeException && t.getMessage().contains(reason)) return;
    }
    throw new AssertionError("not a TLS handshake failure for " + reason, e);
  }
}
