package gantry.agent.driver.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.agent.driver.DriverException;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DockerConnectionTest {
  @Test
  void anEngineThatDoesNotAnswerFailsWithTheFix(@TempDir Path dir) {
    URI host = URI.create("unix://" + dir.resolve("no-docker.sock"));
    var e = assertThrows(DriverException.class, () -> DockerDriver.connect(host, Map.of()));
    assertEquals(DriverException.Kind.UNAVAILABLE, e.kind());
    assertTrue(e.getMessage().startsWith("Docker engine not reachable at " + host), e.getMessage());
    assertTrue(e.getMessage().contains("scripts/lib/docker.sh"), e.getMessage());
  }
}
