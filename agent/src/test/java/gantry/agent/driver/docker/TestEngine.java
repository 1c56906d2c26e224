package gantry.agent.driver.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;

/**
 * The tests' own view of the engine, through docker-java: an independent client to check what the
 * agent's {@link EngineClient} did (and to clean up by id), so a test does not grade the agent's
 * client with itself.
 */
public final class TestEngine {
  private TestEngine() {}

  /** A docker-java client of the engine at {@code DOCKER_HOST}, else the default socket. */
  public static DockerClient open() {
    DefaultDockerClientConfig config = DefaultDockerClientConfig.createDefaultConfigBuilder()
        .withDockerHost(DockerConnection.configuredHost().toString()).build();
    return DockerClientImpl.getInstance(config,
        new ZerodepDockerHttpClient.Builder().dockerHost(config.getDockerHost()).build());
  }

  /**
   * The agent's driver and, beside it, a docker-java client of the same engine, which holds
   * {@code image}; fails the test (never skips it) when the engine does not answer or lacks the image.
   */
  public static Pair openWith(String image) {
    DockerDriver driver;
    try {
      driver = DockerDriver.connect();
    } catch (gantry.agent.driver.DriverException e) {
      return org.junit.jupiter.api.Assertions.fail("Docker tests need a running engine: " + e.getMessage());
    }
    DockerClient client = open();
    try {
      client.inspectImageCmd(image).exec();
    } catch (com.github.dockerjava.api.exception.NotFoundException e) {
      driver.close();
      close(client);
      return org.junit.jupiter.api.Assertions.fail("Docker tests need the image " + image + ": run scripts/images.sh");
    }
    return new Pair(driver, client);
  }

  /** The driver under test and the tests' own client of the same engine. */
  public record Pair(DockerDriver driver, DockerClient client) implements AutoCloseable {
    @Override
    public void close() {
      driver.close();
      TestEngine.close(client);
    }
  }

  /**
   * Removes, by id, every container (running or not) labelled with one of {@code allocations}:
   * what a test made, and nothing else.
   */
  public static void removeAllocations(DockerClient client, java.util.Collection<String> allocations) {
    for (String alloc : allocations) {
      for (var c : client.listContainersCmd().withShowAll(true)
          .withLabelFilter(java.util.Map.of(DockerDriver.LABEL_ALLOC, alloc)).exec()) {
        client.removeContainerCmd(c.getId()).withForce(true).exec();
      }
    }
  }

  public static void close(DockerClient client) {
    try {
      client.close();
    } catch (Exception ignored) {
      // closing after the tests
    }
  }
}
