package gantry.agent.driver.docker;

import gantry.agent.driver.DriverException;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.SSLContext;

/** Opens the agent's engine client and checks the engine answers. */
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
   * Returns a client for {@code host} whose engine answered a ping, with TLS on a tcp address when
   * {@code env} asks for it as the docker CLI's does ({@link EngineTls}).
   *
   * @throws DriverException (UNAVAILABLE) naming the host and how to start an engine, or what in
   *     the address or the TLS files is not usable
   */
  static EngineClient open(URI host, Map<String, String> env) {
    EngineClient client;
    try {
      boolean tcp = host.getScheme() != null && !"unix".equalsIgnoreCase(host.getScheme());
      SSLContext tls = tcp ? EngineTls.fromEnvironment(env).orElse(null) : null;
      client = EngineClient.of(host, tls);
    } catch (IllegalArgumentException e) {
      throw new DriverException(DriverException.Kind.UNAVAILABLE, "Docker engine address " + host + ": " + e.getMessage(), e);
    }
    try {
      client.raw("GET", "/_ping", null, Duration.ofSeconds(5));
      return client;
    } catch (RuntimeException e) {
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
}
