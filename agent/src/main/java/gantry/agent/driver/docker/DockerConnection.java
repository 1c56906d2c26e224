package gantry.agent.driver.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.zerodep.ZerodepDockerHttpClient;
import gantry.agent.driver.DriverException;
import java.net.URI;
import java.time.Duration;

/** Opens a docker-java client over the zerodep transport and checks the engine answers. */
public final class DockerConnection {
  /** The engine's default socket. */
  public static final URI DEFAULT_HOST = URI.create("unix:///var/run/docker.sock");

  /** {@code DOCKER_HOST} if set, as the docker CLI does, else {@link #DEFAULT_HOST}. */
  public static URI configuredHost() {
    String env = System.getenv("DOCKER_HOST");
    return env == null || env.isBlank() ? DEFAULT_HOST : URI.create(env.strip());
  }

  static final String START_HINT =
      "start it with scripts/lib/docker.sh (as root: source scripts/lib/docker.sh && gantry_ensure_docker)";

  private DockerConnection() {}

  /**
   * Returns a client for {@code host} whose engine answered a ping.
   *
   * @throws DriverException (UNAVAILABLE) naming the host and how to start an engine
   */
  public static DockerClient open(URI host) {
    DefaultDockerClientConfig config =
        DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(host.toString()).build();
    ZerodepDockerHttpClient http = new ZerodepDockerHttpClient.Builder()
        .dockerHost(config.getDockerHost())
        .sslConfig(config.getSSLConfig())
        .maxConnections(64)
        .connectionTimeout(Duration.ofSeconds(5))
        .responseTimeout(Duration.ofSeconds(120))
        .build();
    DockerClient client = DockerClientImpl.getInstance(config, http);
    try {
      client.pingCmd().exec();
      return client;
    } catch (RuntimeException e) {
      closeQuietly(client);
      throw new DriverException(DriverException.Kind.UNAVAILABLE,
          "Docker engine not reachable at " + host + " (" + rootMessage(e) + "); " + START_HINT, e);
    }
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m.strip();
  }

  static void closeQuietly(DockerClient client) {
    try {
      client.close();
    } catch (Exception ignored) {
      // closing a client that never worked
    }
  }
}
