package gantry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import gantry.node.ManagerPeer;
import gantry.node.config.ServerConfigLoader;
import gantry.v1.CreateAclTokenResponse;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * gantry acl ... against one real manager started with acl: true, as an operator uses it:
 * bootstrap, a policy from a file, a token, and the exit codes and one-line reasons of what the
 * token may and may not do.
 */
class AclCommandTest {
  @TempDir static Path dir;
  static ManagerPeer peer;
  static String address;
  static String root;

  private static int port() throws Exception {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @BeforeAll
  static void start() throws Exception {
    peer = ManagerPeer.start(ServerConfigLoader.load(null, Map.of("id", "m1", "data_dir", dir.resolve("m1").toString(),
        "peers", "m1=127.0.0.1:" + port(), "grpc_addr", "127.0.0.1:" + port(), "acl", "true")));
    address = peer.grpcAddress();
    // The single peer elects itself within a few seconds; until then the call is unavailable.
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    Cli boot = Cli.runAt(address, "acl", "bootstrap");
    while (boot.exitCode() != 0 && System.nanoTime() < deadline) {
      Thread.sleep(200);
      boot = Cli.runAt(address, "acl", "bootstrap");
    }
    assertTrue(boot.out().startsWith("Accessor: "), boot.out());
    root = boot.out().lines().filter(l -> l.startsWith("Secret:")).findFirst().orElseThrow().substring("Secret:".length()).strip();
  }

  @AfterAll
  static void stop() {
    if (peer != null) peer.close();
  }

  @Test
  void bootstrapIsRefusedTheSecondTime() {
    Cli again = Cli.runAt(address, "acl", "bootstrap");
    assertEquals(1, again.exitCode());
    assertEquals("ACLs are already bootstrapped", again.err().strip());
  }

  @Test
  void aReadOnlyTokenListsJobsAndIsDeniedAStopWithExitOne() throws Exception {
    Path file = dir.resolve("readonly.yaml");
    Files.writeString(file, "jobs: read\n");
    Cli applied = Cli.runAt(address, "acl", "policy", "apply", "readonly", file.toString(), "--token", root);
    assertEquals(0, applied.exitCode(), applied.err());
    Cli policies = Cli.runAt(address, "acl", "policy", "ls", "--token", root);
    assertTrue(policies.out().contains("readonly") && policies.out().contains("jobs:read"), policies.out());

    Cli created = Cli.runAt(address, "acl", "token", "create", "--name", "viewer", "--policy", "readonly", "--ttl", "1h",
        "--json", "--token", root);
    assertEquals(0, created.exitCode(), created.err());
    var response = CreateAclTokenResponse.newBuilder();
    JsonFormat.parser().merge(created.out(), response);
    String viewer = response.getSecret();

    Cli ls = Cli.runAt(address, "job", "ls", "--token", viewer);
    assertEquals(0, ls.exitCode(), ls.err());
    Cli stop = Cli.runAt(address, "job", "stop", "web", "--token", viewer);
    assertEquals(1, stop.exitCode());
    assertEquals("permission denied: jobs:write needed", stop.err().strip());
    Cli none = Cli.runAt(address, "job", "ls");
    assertEquals(1, none.exitCode());
    assertTrue(none.err().startsWith("permission denied: no token sent"), none.err());

    Cli tokens = Cli.runAt(address, "acl", "token", "ls", "--token", root);
    assertTrue(tokens.out().contains(response.getToken().getAccessorId()) && tokens.out().contains("(management)"), tokens.out());
    assertFalse(tokens.out().contains(viewer), "ls never shows a secret");
    Cli revoked = Cli.runAt(address, "acl", "token", "revoke", response.getToken().getAccessorId(), "--token", root);
    assertEquals(0, revoked.exitCode(), revoked.err());
    assertTrue(Cli.runAt(address, "job", "ls", "--token", viewer).err().startsWith("permission denied: unknown token"));
  }

  @Test
  void badInputIsExitTwoNamingTheKeyOrFlag() throws Exception {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, "jobs: {access: wrte}\n");
    Cli bad = Cli.runAt(address, "acl", "policy", "apply", "bad", file.toString(), "--token", root);
    assertEquals(2, bad.exitCode());
    assertEquals("jobs.access: expected read, write or deny, got \"wrte\"", bad.err().strip());
    Cli ttl = Cli.runAt(address, "acl", "token", "create", "--name", "x", "--policy", "p", "--ttl", "soon", "--token", root);
    assertEquals(2, ttl.exitCode());
    assertTrue(ttl.err().startsWith("--ttl"), ttl.err());
    Cli unknown = Cli.runAt(address, "acl", "policy", "delete", "nope", "--token", root);
    assertEquals(1, unknown.exitCode());
    assertEquals("policy \"nope\" not found", unknown.err().strip());
  }
}
