package gantry.node.http;

import gantry.node.metrics.ManagerMetrics;
import io.javalin.http.Context;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;

/**
 * {@code GET /metrics}: the JVM's metrics, this peer's {@link ClusterMetrics} (read at scrape)
 * and its {@link ManagerMetrics} (counted as things happen) in the Prometheus text format,
 * written by the Prometheus Java client.
 *
 * <p>The JVM metrics live in one registry per process: they describe the process, and their
 * collectors add JMX listeners that are never removed, so tests that run three peers in one JVM
 * register them once. Each peer has its own registry for its {@code gantry_*} series.
 */
final class MetricsEndpoint {
  private static final PrometheusRegistry JVM = jvmRegistry();

  private final PrometheusRegistry peer = new PrometheusRegistry();
  private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

  MetricsEndpoint(ClusterMetrics cluster, ManagerMetrics events) {
    cluster.register(peer);
    events.register(peer);
  }

  private static PrometheusRegistry jvmRegistry() {
    PrometheusRegistry registry = new PrometheusRegistry();
    JvmMetrics.builder().register(registry);
    return registry;
  }

  void handle(Context ctx) throws IOException {
    MetricSnapshots.Builder all = MetricSnapshots.builder();
    for (MetricSnapshot s : JVM.scrape()) all.metricSnapshot(s);
    for (MetricSnapshot s : peer.scrape()) all.metricSnapshot(s);
    ByteArrayOutputStream out = new ByteArrayOutputStream(16 << 10);
    writer.write(out, all.build());
    ctx.contentType(writer.getContentType()).result(out.toByteArray());
  }
}
