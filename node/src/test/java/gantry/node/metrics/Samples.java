package gantry.node.metrics;

import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Reads one sample of a {@link ManagerMetrics} as Prometheus would: through a fresh registry and
 * the client's text writer, so a test sees the exposed name ({@code _total}, {@code _count},
 * {@code _bucket{le="..."}}), not the client's internal one.
 */
public final class Samples {
  private Samples() {}

  /** The value of the sample written exactly {@code sample} (name, and labels if any); fails if absent. */
  public static double value(ManagerMetrics metrics, String sample) {
    String text = text(metrics);
    for (String line : text.split("\n")) {
      if (line.startsWith(sample + " ")) return Double.parseDouble(line.substring(sample.length() + 1).trim());
    }
    throw new AssertionError("no sample " + sample + " in:\n" + text);
  }

  /** The whole exposition of {@code metrics}. */
  public static String text(ManagerMetrics metrics) {
    PrometheusRegistry registry = new PrometheusRegistry();
    metrics.register(registry);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      PrometheusTextFormatWriter.create().write(out, registry.scrape());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
