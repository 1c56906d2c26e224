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

  public static void close(DockerClient client) {
    try {
      client.close();
    } catch (Exception ignored) {
      // closing after the tests
    }
  }
}
