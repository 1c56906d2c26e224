package gantry.agent.metrics;

import gantry.agent.Agent;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import gantry.security.tls.TlsMaterial;
import java.net.InetSocketAddress;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;

/**
 * {@code gantry agent --http-addr HOST:PORT}: {@code /metrics} in the Prometheus text format, the
 * JVM's series and {@link AgentMetrics}, served by the Prometheus client's own small HTTP server
 * (the JDK's), on a registry of its own; HTTPS with a required client certificate when the agent
 * runs with mutual TLS.
 */
public final class MetricsServer implements AutoCloseable {
  private final HTTPServer server;

  private MetricsServer(HTTPServer server) {
    this.server = server;
  }

  /** @throws IOException naming the address when it cannot be bound */
  public static MetricsServer start(InetSocketAddress address, Agent agent) throws IOException {
    return start(address, agent, Optional.empty());
  }

  /**
   * As above; with {@code tls}, HTTPS only: TLS 1.3, and a client certificate of the cluster CA
   * required at the handshake (Prometheus scrapes with one). The context holds the material's
   * managers, so a reload reaches the next connection without a restart.
   *
   * @throws IOException naming the address when it cannot be bound
   */
  public static MetricsServer start(InetSocketAddress address, Agent agent, Optional<TlsMaterial> tls) throws IOException {
    PrometheusRegistry registry = new PrometheusRegistry();
    JvmMetrics.builder().register(registry);
    registry.register(new AgentMetrics(agent::members));
    try {
      HTTPServer.Builder builder = HTTPServer.builder().hostname(address.getHostString()).port(address.getPort())
          .registry(registry);
      if (tls.isPresent()) builder.httpsConfigurator(new MutualTls(tls.get().jdkContext()));
      return new MetricsServer(builder.buildAndStart());
    } catch (IOException e) {
      throw new IOException("--http-addr " + address.getHostString() + ":" + address.getPort() + ": " + e.getMessage(), e);
    }
  }

  /** Asks every client for its certificate and speaks TLS 1.3 only. */
  private static final class MutualTls extends HttpsConfigurator {
    MutualTls(SSLContext context) {
      super(context);
    }

    @Override
    public void configure(HttpsParameters params) {
      SSLParameters ssl = getSSLContext().getDefaultSSLParameters();
      ssl.setNeedClientAuth(true);
      ssl.setProtocols(new String[] {"TLSv1.3"});
      params.setSSLParameters(ssl);
    }
  }

  /** The port it listens on (the one asked for, or the one chosen for port 0). */
  public int port() {
    return server.getPort();
  }

  @Override
  public void close() {
    server.close();
  }
}
