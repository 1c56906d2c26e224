package gantry.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.client.ManagerCredentials;
import gantry.v1.ListNodesRequest;
import gantry.v1.NodeStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production set-up of the README, as separate processes started from the CLI: three
 * managers with mutual TLS and ACLs, an agent with its certificate, users with client
 * certificates and tokens. Who gets in, who is turned away, what the audit log keeps, and that
 * no token secret is left in a data directory or a log.
 */
class SecureClusterIT {
  @TempDir
  Path dir;

  private Pki pki;
  private String addresses;

  private static final String JOB = """
      job: sleepy
      type: service
      groups:
        - name: g
          count: 1
          tasks:
            - name: t
              driver: exec
              command: [sleep, "300"]
              resources: {cpu: 100, memory: 32}
      """;

  @Test
  void onlyTheClustersCertificatesAndTheRightTokensGetIn() throws Exception {
    pki = Pki.create(dir.resolve("pki"), "server:m1", "server:m2", "server:m3", "agent:a1", "client:ops");
    Pki rogue = Pki.create(dir.resolve("rogue"), "client:mallory");

    try (PeerProcesses cluster = new PeerProcesses(dir.resolve("managers"), 3, Map.of("acl", "true"));
        AgentProcesses agents = new AgentProcesses(dir.resolve("agents"), dir.resolve("agent-logs"))) {
      cluster.withPeerFlags(pki::flags);
      cluster.startAll();
      addresses = cluster.addresses();

      // Plaintext and another CA's certificate are turned away at the handshake.
      var plain = Gantry.runAt(addresses, "job", "ls");
      assertEquals(1, plain.exit(), plain.stdout() + plain.stderr());
      // mallory trusts the cluster's CA, but her certificate is signed by another
      var foreign = Gantry.runAt(addresses, "job", "ls", "--tls-ca", pki.ca().toString(),
          "--tls-cert", rogue.cert("mallory").toString(), "--tls-key", rogue.key("mallory").toString());
      assertEquals(1, foreign.exit(), foreign.stdout() + foreign.stderr());

      String management = pki.bootstrap(addresses, "ops");
      cluster.withCredentials(pki.credentials("ops").withToken(management));
      cluster.awaitLeader(Duration.ofSeconds(60));

      // No token: nothing, not even a read.
      var anonymous = user(null, "job", "ls");
      assertEquals(1, anonymous.exit(), anonymous.stdout());
      assertTrue(anonymous.stderr().contains("permission denied"), anonymous.stderr());

      Path policy = dir.resolve("readonly.yaml");
      Files.writeString(policy, "jobs: read\nnodes: read\n");
      Gantry.ok(user(management, "acl", "policy", "apply", "readonly", policy.toString()));
      String readonly = Pki.secret(Gantry.ok(user(management, "acl", "token", "create", "--name", "viewer", "--policy", "readonly", "--json")));

      // The agent runs work with its own certificate; a client certificate opens no agent session.
      agents.start("a1", addresses, "exec", Map.of(), pki.flags("a1"));
      agents.start("ops", addresses, "exec", Map.of(), pki.flags("ops"));
      PeerProcesses.await("a1 ready", Duration.ofSeconds(90), () -> cluster.stub("m1").listNodes(ListNodesRequest.getDefaultInstance())
          .getNodesList().stream().anyMatch(n -> n.getName().equals("a1") && n.getStatus() == NodeStatus.NODE_STATUS_READY));
      PeerProcesses.await("the ops agent refused", Duration.ofSeconds(60), () -> {
        try {
          return agents.logText("ops").contains("permission denied");
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      });
      assertTrue(cluster.stub("m1").listNodes(ListNodesRequest.getDefaultInstance()).getNodesList().stream()
          .noneMatch(n -> n.getName().equals("ops")), "a client certificate registered a node");

      Path spec = dir.resolve("sleepy.yaml");
      Files.writeString(spec, JOB);
      Gantry.ok(user(management, "job", "run", spec.toString(), "--detach"));
      PeerProcesses.await("sleepy running on a1", Duration.ofSeconds(90), () -> {
        try {
          String allocs = Gantry.ok(user(readonly, "alloc", "ls", "--job", "sleepy", "--json"));
          return allocs.contains("\"a1\"") && allocs.contains("RUNNING");
        } catch (IOException | InterruptedException e) {
          throw new IllegalStateException(e);
        }
      });

      // The read-only token lists and cannot stop; the management token can.
      assertTrue(Gantry.ok(user(readonly, "job", "ls")).contains("sleepy"));
      var denied = user(readonly, "job", "stop", "sleepy");
      assertEquals(1, denied.exit(), denied.stdout());
      assertTrue(denied.stderr().contains("permission denied: jobs:write needed"), denied.stderr());
      var gcDenied = user(readonly, "system", "gc");
      assertEquals(1, gcDenied.exit(), gcDenied.stdout());
      assertTrue(gcDenied.stderr().contains("permission denied: operator:write needed"), gcDenied.stderr());
      Gantry.ok(user(management, "job", "stop", "sleepy"));
      assertTrue(Gantry.ok(user(management, "system", "gc")).startsWith("Collected "));

      // A peer needs a server certificate to speak Raft: an agent's is refused at the handshake.
      int raftPort = cluster.peer("m1").raftPort();
      assertTrue(raftHandshake(raftPort, "m2"), "a server certificate should complete the Raft handshake");
      assertFalse(raftHandshake(raftPort, "a1"), "an agent certificate completed the Raft handshake");

      // The audit log of the managers that took the calls holds the allowed write and the denied one.
      String audit = Gantry.ok(user(management, "operator", "audit"));
      for (String id : List.of("m2", "m3")) {
        audit += Gantry.ok(Gantry.runAt(cluster.peer(id).grpc(), pki.as("ops", management, "operator", "audit")));
      }
      assertTrue(audit.lines().anyMatch(l -> l.contains("RegisterJob") && l.contains("\"ok\"") && l.contains("sleepy")), audit);
      assertTrue(audit.lines().anyMatch(l -> l.contains("DeregisterJob") && l.contains("\"denied\"") && l.contains("sleepy")), audit);
      assertTrue(audit.lines().anyMatch(l -> l.contains("CollectGarbage") && l.contains("\"denied\"")), audit);
      assertTrue(audit.lines().anyMatch(l -> l.contains("CollectGarbage") && l.contains("\"ok\"")), audit);
      assertFalse(audit.contains(readonly) || audit.contains(management), "a secret in the audit log");

      agents.close();
      cluster.close();
      List<Path> leaks = filesContaining(List.of(dir.resolve("managers"), dir.resolve("agents"), dir.resolve("agent-logs"),
          logsOf(cluster)), List.of(management, readonly));
      assertEquals(List.of(), leaks, "token secrets left on disk");
    }
  }



  /** A CLI call as user "ops" (its client certificate) with {@code token} (none if null). */
  private Gantry.Result user(String token, String... args) throws IOException, InterruptedException {
    return Gantry.runAt(addresses, pki.as("ops", token, args));
  }



  /**
   * Opens TLS to a Raft port as {@code name} and speaks HTTP/2 (Ratis is gRPC): true when the peer
   * answers with its SETTINGS frame, false when it refuses the certificate. In TLS 1.3 the server
   * judges the client's certificate after the client's handshake is done, so its verdict is the
   * first thing read.
   */
  private boolean raftHandshake(int port, String name) throws Exception {
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    var pair = gantry.security.PemFiles.read(pki.cert(name), pki.key(name));
    keys.setKeyEntry("me", pair.privateKey(), new char[0], new java.security.cert.Certificate[] {pair.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, new char[0]);
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", gantry.security.PemFiles.readCertificate(pki.ca()));
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext tls = SSLContext.getInstance("TLSv1.3");
    tls.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
    try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      var params = socket.getSSLParameters();
      params.setApplicationProtocols(new String[] {"h2"});
      socket.setSSLParameters(params);
      try {
        socket.startHandshake();
        OutputStream out = socket.getOutputStream();
        out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[] {0, 0, 0, 4, 0, 0, 0, 0, 0}); // an empty SETTINGS frame
        out.flush();
        InputStream in = socket.getInputStream();
        byte[] header = in.readNBytes(9);
        return header.length == 9 && header[3] == 4; // the server's SETTINGS
      } catch (javax.net.ssl.SSLException | java.net.SocketException e) {
        return false;
      }
    }
  }

  private static Path logsOf(PeerProcesses cluster) {
    return cluster.peer("m1").log().getParent();
  }

  /** Every regular file under {@code roots} whose bytes contain one of {@code secrets}. */
  private static List<Path> filesContaining(List<Path> roots, List<String> secrets) throws IOException {
    List<Path> found = new ArrayList<>();
    for (Path root : roots) {
      if (!Files.exists(root)) continue;
      try (Stream<Path> files = Files.walk(root)) {
        for (Path f : files.filter(Files::isRegularFile).toList()) {
          byte[] bytes = Files.readAllBytes(f);
          for (String s : secrets) {
            if (indexOf(bytes, s.getBytes(StandardCharsets.UTF_8)) >= 0) found.add(f);
          }
        }
      }
    }
    return found;
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
      return i;
    }
    return -1;
  }

}
