package gantry.cli.it;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Prometheus server (Debian's {@code prometheus} package) as a separate process: it
 * scrapes the given {@code /metrics} addresses every second into its own storage directory
 * and answers PromQL on a free loopback port. {@link #close()} stops it (SIGTERM, then SIGKILL).
 */
final class PrometheusServer implements AutoCloseable {
  /** One series of an instant query's answer: its labels and its value (NaN and ±Inf included). */
  record Sample(Struct labels, double value) {}

  private final Process process;
  private final String base;
  private final Path log;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private PrometheusServer(Process process, String base, Path log) {
    this.process = process;
    this.base = base;
    this.log = log;
  }

  /**
   * The prometheus executable: {@code -Dgantry.prometheus}, else {@code prometheus} on the PATH.
   * Fails (never skips) when it is missing: scripts/test.sh installs it.
   */
  static Path executable() {
    String configured = System.getProperty("gantry.prometheus", "");
    if (!configured.isEmpty()) return Path.of(configured);
    return onPath("prometheus");
  }

  /** {@code name} on the PATH; fails the test with how to install it when it is not there. */
  static Path onPath(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) return p;
    }
    throw new AssertionError(name + " is not installed (not on the PATH): scripts/test.sh installs Debian's prometheus"
        + " package as root (apt-get install -y prometheus); without it the dashboard cannot be checked");
  }

  /** Starts Prometheus scraping {@code targets} (host:port) under the scrape job {@code gantry}. */
  static PrometheusServer start(Path dir, List<String> targets, Path log) throws IOException {
    return start(dir, targets, List.of(), log);
  }

  /**
   * Starts Prometheus scraping the managers' {@code targets} under the scrape job {@code gantry}
   * and the agents' {@code agentTargets} (their {@code --http-addr}) under {@code gantry-agents},
   * the job names of {@code scripts/monitoring/prometheus.yml}.
   */
  static PrometheusServer start(Path dir, List<String> targets, List<String> agentTargets, Path log) throws IOException {
    Files.createDirectories(dir);
    Path config = dir.resolve("prometheus.yml");
    StringBuilder yaml = new StringBuilder("""
        global:
          scrape_interval: 1s
          scrape_timeout: 900ms
          evaluation_interval: 1s
        scrape_configs:
          - job_name: gantry
            metrics_path: /metrics
            static_configs:
              - targets:
        """);
    for (String t : targets) yaml.append("            - '").append(t).append("'\n");
    if (!agentTargets.isEmpty()) {
      yaml.append("  - job_name: gantry-agents\n    metrics_path: /metrics\n    static_configs:\n      - targets:\n");
      for (String t : agentTargets) yaml.append("            - '").append(t).append("'\n");
    }
    Files.writeString(config, yaml.toString());
    String listen = "127.0.0.1:" + PeerProcesses.freePort();
    Process p = new ProcessBuilder(executable().toString(), "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
        "--web.listen-address=" + listen, "--log.level=warn")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    p.getOutputStream().close();
    return new PrometheusServer(p, "http://" + listen, log);
  }

  /**
   * The answer of the instant query {@code promql} (a vector or a scalar, as samples).
   *
   * @throws IllegalStateException if Prometheus does not answer, or refuses the query (with its error)
   */
  List<Sample> query(String promql) {
    String url = base + "/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8);
    HttpResponse<String> r;
    try {
      r = http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new IllegalStateException("prometheus does not answer" + (process.isAlive() ? "" : " (it exited; see " + log + ")")
          + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    Struct body = parse(r.body());
    if (r.statusCode() != 200 || !"success".equals(body.getFieldsOrDefault("status", Value.getDefaultInstance()).getStringValue())) {
      throw new IllegalStateException("query " + promql + ": HTTP " + r.statusCode() + " " + r.body());
    }
    Struct data = body.getFieldsOrThrow("data").getStructValue();
    String type = data.getFieldsOrThrow("resultType").getStringValue();
    Value result = data.getFieldsOrThrow("result");
    List<Sample> out = new ArrayList<>();
    switch (type) {
      case "vector" -> {
        for (Value v : result.getListValue().getValuesList()) {
          Struct s = v.getStructValue();
          out.add(new Sample(s.getFieldsOrThrow("metric").getStructValue(), number(s.getFieldsOrThrow("value"))));
        }
      }
      case "scalar" -> out.add(new Sample(Struct.getDefaultInstance(), number(result)));
      default -> throw new IllegalStateException("query " + promql + ": a " + type + ", not an instant value");
    }
    return out;
  }

  /** A [timestamp, "value"] pair's value, as Prometheus writes it (NaN, +Inf, -Inf included). */
  private static double number(Value pair) {
    String v = pair.getListValue().getValues(1).getStringValue();
    return switch (v) {
      case "NaN" -> Double.NaN;
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> Double.parseDouble(v);
    };
  }

  static Struct parse(String json) {
    Struct.Builder b = Struct.newBuilder();
    try {
      JsonFormat.parser().merge(json, b);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("not JSON: " + json, e);
    }
    return b.build();
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
