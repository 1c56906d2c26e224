package gantry.node.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigLoaderTest {
  @Test
  void defaultsMakeASinglePeerOnLoopback() {
    ServerConfig c = ServerConfigLoader.load(null, Map.of());
    assertEquals("m1", c.id());
    assertEquals(Map.of("m1", "127.0.0.1:4648"), c.peers());
    assertEquals("127.0.0.1:4647", c.grpcAddress());
    assertEquals(Path.of("gantry-data/m1"), c.dataDir());
    assertEquals(50_000, c.eventBuffer());
    assertEquals(64, ServerConfigLoader.load(null, Map.of("event_buffer", "64")).eventBuffer());
    assertEquals(Duration.ofHours(1), c.gc().evals(), "Nomad's eval_gc_threshold default");
    assertEquals(Duration.ofHours(4), c.gc().jobs(), "Nomad's job_gc_threshold default");
    assertEquals(Duration.ofHours(1), c.gc().deployments(), "Nomad's deployment_gc_threshold default");
    assertEquals(Duration.ofHours(24), c.gc().nodes(), "Nomad's node_gc_threshold default");
    assertEquals(Duration.ofMinutes(5), ServerConfigLoader.load(null, Map.of("eval_gc_threshold", "5m")).gc().evals());
    assertEquals(Duration.ofSeconds(30), ServerConfigLoader.load(null, Map.of("deployment_gc_threshold", "30s")).gc().deployments());
  }

  @Test
  void flagsOverrideTheFile(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("s.yaml");
    Files.writeString(f, """
        id: m2
        peers: {m1: "127.0.0.1:4648", m2: "127.0.0.1:5648"}
        grpc_addr: 127.0.0.1:5647
        election_timeout_min: 300ms
        election_timeout_max: 1s
        """);
    Map<String, String> flags = new HashMap<>();
    flags.put("grpc_addr", "127.0.0.1:6000");
    flags.put("data_dir", null);
    ServerConfig c = ServerConfigLoader.load(f, flags);
    assertEquals("m2", c.id());
    assertEquals("127.0.0.1:5648", c.raftAddress());
    assertEquals("127.0.0.1:6000", c.grpcAddress());
    assertEquals(Duration.ofSeconds(1), c.electionTimeoutMax());
    assertEquals(Map.of("m1", "127.0.0.1:4648"), c.otherPeers());
  }

  @Test
  void badValuesNameTheField() {
    assertTrue(fail(Map.of("peers", "m2=127.0.0.1:5648")).startsWith("peers: does not list"));
    assertTrue(fail(Map.of("grpc_addr", "localhost")).startsWith("grpc_addr: expected host:port"));
    assertTrue(fail(Map.of("grpc_addr", "h:99999")).startsWith("grpc_addr: port 99999"));
    assertTrue(fail(Map.of("election_timeout_min", "fast")).startsWith("election_timeout_min: expected a duration"));
    assertTrue(fail(Map.of("election_timeout_min", "900ms")).startsWith("election_timeout_max: must be greater"));
    assertTrue(fail(Map.of("snapshot_every_entries", "-3")).startsWith("snapshot_every_entries: must be positive"));
    assertTrue(fail(Map.of("colour", "blue")).startsWith("colour: unknown setting"));
    assertTrue(fail(Map.of("event_buffer", "0")).startsWith("event_buffer: must be positive"));
    assertTrue(fail(Map.of("event_buffer", "20000000")).startsWith("event_buffer: must be at most"));
    assertTrue(fail(Map.of("eval_gc_threshold", "500ms")).startsWith("eval_gc_threshold: must be at least 1s"));
    assertTrue(fail(Map.of("eval_gc_threshold", "soon")).startsWith("eval_gc_threshold: expected a duration"));
    assertTrue(fail(Map.of("job_gc_threshold", "0s")).startsWith("job_gc_threshold: must be at least 1s"));
    assertTrue(fail(Map.of("deployment_gc_threshold", "999ms")).startsWith("deployment_gc_threshold: must be at least 1s"));
    assertTrue(fail(Map.of("node_gc_threshold", "a day")).startsWith("node_gc_threshold: expected a duration"));
  }

  private static String fail(Map<String, String> flags) {
    return assertThrows(ConfigException.class, () -> ServerConfigLoader.load(null, flags)).getMessage();
  }
}
