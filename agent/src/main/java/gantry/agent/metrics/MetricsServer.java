package gantry.agent.metrics;

import gantry.agent.Agent;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * {@code gantry agent --http-addr HOST:PORT}: {@code /metrics} in the Prometheus text format, the
 * JVM's series and {@link AgentMetrics}, served by the Prometheus client's own small HTTP server
 * (the JDK's), on a registry of its own.
 */
public final class MetricsServer implements AutoCloseable {
  private final HTTPServer server;

  private MetricsServer(HTTPServer server) {
    this.server = server;
  }

  /** @throws IOException naming the address when it cannot be bound */
  public static MetricsServer start(InetSocketAddress address, Agent agent) throws IOException {
    PrometheusRegistry registry = new PrometheusRegistry();
    JvmMetrics.builder().register(registry);
    registry.register(new AgentMetrics(agent::members));
    try {
      return new MetricsServer(HTTPServer.builder().hostname(address.getHostString()).port(address.getPort())
          .registry(registry).buildAndStart());
    } catch (IOException e) {
      throw new IOException("--http-addr " + address.getHostString() + ":" + address.getPort() + ": " + e.getMessage(), e);
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
