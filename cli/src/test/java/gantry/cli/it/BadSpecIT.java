package gantry.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad job specs sent with {@code gantry job run} to a real peer: exit code 2, a message naming
 * the field, and nothing written (the state digest is unchanged).
 */
class BadSpecIT {
  @TempDir Path dir;

  static final String GOOD = """
      job: web
      groups:
        - name: frontend
          count: 2
          tasks:
            - name: httpd
              driver: docker
              image: local/busybox:1
              resources: {cpu: 100, memory: 32}
      """;

  @Test
  void badSpecsAreRefusedWithTheFieldNamedAndChangeNothing() throws Exception {
    try (PeerProcesses cluster = new PeerProcesses(dir.resolve("cluster"), 1, Map.of())) {
      cluster.startAll();
      cluster.awaitLeader(Duration.ofSeconds(60));
      String addr = cluster.peers().getFirst().grpc();
      Gantry.Result ok = Gantry.run("job", "run", "--detach", write("good.yaml", GOOD).toString(), "--address", addr);
      assertEquals(0, ok.exit(), ok.stderr());
      String before = cluster.awaitEqualDigests(Duration.ofSeconds(30));

      refused(addr, "no-name.yaml", GOOD.replace("job: web\n", ""), "job");
      refused(addr, "negative.yaml", GOOD.replace("count: 2", "count: -1"), "groups[0].count");
      refused(addr, "driver.yaml", GOOD.replace("driver: docker", "driver: qemu"), "groups[0].tasks[0].driver");
      refused(addr, "memory.yaml", GOOD.replace("memory: 32", "memory: lots"), "groups[0].tasks[0].resources.memory");
      refused(addr, "yaml.yaml", "job: web\ngroups: [ {name: x\n", "invalid YAML");
      refused(addr, "huge.yaml", GOOD + "meta:\n  blob: \"" + "x".repeat(10 << 20) + "\"\n", "spec");

      assertEquals(before, cluster.digest("m1").getDigest(), "a refused spec must change nothing");
    }
  }

  private void refused(String addr, String file, String text, String field) throws Exception {
    Gantry.Result r = Gantry.run("job", "run", "--detach", write(file, text).toString(), "--address", addr);
    assertEquals(2, r.exit(), file + ": expected exit 2, got " + r.exit() + "; stderr: " + r.stderr());
    assertTrue(r.stderr().contains(field), file + ": the message should name " + field + "; got: " + r.stderr());
  }

  private Path write(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }
}
