package gantry.node.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.SequencedMap;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;

/**
 * Builds a {@link ServerConfig}: defaults that work on one laptop, then a YAML file, then flags.
 *
 * <p>The YAML file and the flags use the same keys: {@code id, data_dir, raft_addr, grpc_addr,
 * http_addr, peers} (a map id -> raft address, or the flag form {@code m1=host:port,m2=...}),
 * {@code election_timeout_min, election_timeout_max, snapshot_every_entries,
 * batch_max_records, batch_max_bytes, raft_segment_bytes, heartbeat_ttl, eval_gc_threshold,
 * job_gc_threshold, deployment_gc_threshold, node_gc_threshold, scheduler_workers, event_buffer},
 * and those of {@link SecurityConfig}.
 */
public final class ServerConfigLoader {
  static final Set<String> KEYS = Set.of(
      "id", "data_dir", "raft_addr", "grpc_addr", "http_addr", "peers",
      "election_timeout_min", "election_timeout_max", "snapshot_every_entries",
      "batch_max_records", "batch_max_bytes", "raft_segment_bytes", "heartbeat_ttl", "eval_gc_threshold", "job_gc_threshold",
      "deployment_gc_threshold", "node_gc_threshold", "scheduler_workers",
      "event_buffer", "tls_ca", "tls_cert", "tls_key", "acl", "max_message_bytes", "max_streams_per_connection",
      "unary_deadline", "rate_per_token", "rate_burst", "audit_max_bytes", "audit_keep");

  private ServerConfigLoader() {}

  /**
   * @param file  a YAML file, or null
   * @param flags values given on the command line, by the keys above; null values are ignored
   * @throws ConfigException naming the field when a value is wrong
   */
  public static ServerConfig load(Path file, Map<String, String> flags) {
    Map<String, Object> values = new LinkedHashMap<>();
    if (file != null) values.putAll(readYaml(file));
    flags.forEach((k, v) -> {
      if (v != null) values.put(k, v);
    });
    for (String key : values.keySet()) {
      if (!KEYS.contains(key)) throw new ConfigException(key, "unknown setting; known: " + String.join(", ", KEYS.stream().sorted().toList()));
    }

    String id = string(values, "id", "m1");
    if (!id.matches("[A-Za-z0-9][A-Za-z0-9_.-]{0,62}")) {
      throw new ConfigException("id", "must be 1-63 letters, digits, '.', '_' or '-', got \"" + id + "\"");
    }
    SequencedMap<String, String> peers = peers(values.get("peers"));
    String raft = values.containsKey("raft_addr")
        ? HostPorts.check("raft_addr", string(values, "raft_addr", null), false)
        : peers.getOrDefault(id, "127.0.0.1:4648");
    if (peers.isEmpty()) {
      peers.put(id, raft);
    } else if (!peers.containsKey(id)) {
      throw new ConfigException("peers", "does not list this peer's id \"" + id + "\"");
    } else if (!peers.get(id).equals(raft)) {
      throw new ConfigException("raft_addr", raft + " differs from this peer's address in peers, " + peers.get(id));
    }
    String grpc = HostPorts.check("grpc_addr", string(values, "grpc_addr", "127.0.0.1:4647"), true);
    String http = string(values, "http_addr", "127.0.0.1:4646");
    if (!http.isEmpty()) HostPorts.check("http_addr", http, true);
    Path dataDir = Path.of(string(values, "data_dir", "gantry-data/" + id));

    Duration min = Durations.parse("election_timeout_min", string(values, "election_timeout_min", "400ms"));
    Duration max = Durations.parse("election_timeout_max", string(values, "election_timeout_max", "800ms"));
    if (min.toMillis() < 50) throw new ConfigException("election_timeout_min", "must be at least 50ms");
    if (max.compareTo(min) <= 0) throw new ConfigException("election_timeout_max", "must be greater than election_timeout_min");
    long snapshotEvery = positive(values, "snapshot_every_entries", 20_000);
    int batchRecords = (int) positive(values, "batch_max_records", 512);
    int batchBytes = (int) positive(values, "batch_max_bytes", 1 << 20);
    long segmentBytes = positive(values, "raft_segment_bytes", 16L << 20);
    if (segmentBytes < 8192) throw new ConfigException("raft_segment_bytes", "must be at least 8192");
    Duration ttl = Durations.parse("heartbeat_ttl", string(values, "heartbeat_ttl", "3s"));
    if (ttl.toMillis() < 100) throw new ConfigException("heartbeat_ttl", "must be at least 100ms");
    GcThresholds gc = new GcThresholds(gcThreshold(values, "eval_gc_threshold", GcThresholds.DEFAULTS.evals()),
        gcThreshold(values, "job_gc_threshold", GcThresholds.DEFAULTS.jobs()),
        gcThreshold(values, "deployment_gc_threshold", GcThresholds.DEFAULTS.deployments()),
        gcThreshold(values, "node_gc_threshold", GcThresholds.DEFAULTS.nodes()));
    int workers = (int) positive(values, "scheduler_workers", 2);
    long eventBuffer = positive(values, "event_buffer", gantry.node.events.EventLog.DEFAULT_CAPACITY);
    if (eventBuffer > 10_000_000) throw new ConfigException("event_buffer", "must be at most 10000000, got " + eventBuffer);
    return new ServerConfig(id, dataDir, raft, grpc, http, peers, min, max, snapshotEvery, batchRecords, batchBytes,
        segmentBytes, ttl, gc, workers, (int) eventBuffer, security(values));
  }

  /** A GC threshold: a duration of at least 1s ({@code key} absent: {@code otherwise}). */
  private static Duration gcThreshold(Map<String, Object> values, String key, Duration otherwise) {
    if (values.get(key) == null) return otherwise;
    Duration d = Durations.parse(key, string(values, key, ""));
    if (d.toMillis() < 1000) throw new ConfigException(key, "must be at least 1s");
    return d;
  }

  private static SecurityConfig security(Map<String, Object> values) {
    SecurityConfig d = SecurityConfig.defaults();
    String ca = string(values, "tls_ca", "");
    String cert = string(values, "tls_cert", "");
    String key = string(values, "tls_key", "");
    java.util.Optional<SecurityConfig.TlsPaths> tls = java.util.Optional.empty();
    if (!ca.isEmpty() || !cert.isEmpty() || !key.isEmpty()) {
      for (var e : Map.of("tls_ca", ca, "tls_cert", cert, "tls_key", key).entrySet()) {
        if (e.getValue().isEmpty()) throw new ConfigException(e.getKey(), "missing: mutual TLS needs tls_ca, tls_cert and tls_key together");
        if (!Files.isReadable(Path.of(e.getValue()))) throw new ConfigException(e.getKey(), "cannot read " + e.getValue());
      }
      tls = java.util.Optional.of(new SecurityConfig.TlsPaths(Path.of(ca), Path.of(cert), Path.of(key)));
    }
    String acl = string(values, "acl", "false");
    if (!acl.equals("true") && !acl.equals("false")) throw new ConfigException("acl", "expected true or false, got \"" + acl + "\"");
    long maxMessage = positive(values, "max_message_bytes", d.maxMessageBytes());
    if (maxMessage < 64 << 10 || maxMessage > 256 << 20) {
      throw new ConfigException("max_message_bytes", "must be between 65536 and 268435456, got " + maxMessage);
    }
    long streams = positive(values, "max_streams_per_connection", d.maxStreamsPerConnection());
    if (streams > 1_000_000) throw new ConfigException("max_streams_per_connection", "must be at most 1000000, got " + streams);
    Duration deadline = Durations.parse("unary_deadline", string(values, "unary_deadline", d.unaryDeadline().toSeconds() + "s"));
    if (deadline.toMillis() < 100) throw new ConfigException("unary_deadline", "must be at least 100ms");
    long rate = positive(values, "rate_per_token", d.ratePerToken());
    long burst = positive(values, "rate_burst", d.rateBurst());
    if (rate > 1_000_000 || burst > 1_000_000) throw new ConfigException(rate > 1_000_000 ? "rate_per_token" : "rate_burst", "must be at most 1000000");
    long auditMax = positive(values, "audit_max_bytes", d.auditMaxBytes());
    if (auditMax < 4096) throw new ConfigException("audit_max_bytes", "must be at least 4096, got " + auditMax);
    long keep = positive(values, "audit_keep", d.auditKeep());
    if (keep > 1000) throw new ConfigException("audit_keep", "must be at most 1000, got " + keep);
    return new SecurityConfig(tls, acl.equals("true"), (int) maxMessage, (int) streams, deadline, (int) rate, (int) burst,
        auditMax, (int) keep);
  }

  private static Map<String, Object> readYaml(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new ConfigException("config", "cannot read " + file + ": " + e.getMessage());
    }
    Object parsed;
    try {
      parsed = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    } catch (YAMLException e) {
      throw new ConfigException("config", "invalid YAML in " + file + ": " + e.getMessage().lines().findFirst().orElse(""));
    }
    if (parsed == null) return Map.of();
    if (!(parsed instanceof Map<?, ?> map)) throw new ConfigException("config", file + " must hold a mapping of settings");
    Map<String, Object> out = new LinkedHashMap<>();
    map.forEach((k, v) -> out.put(String.valueOf(k), v));
    return out;
  }

  private static SequencedMap<String, String> peers(Object value) {
    SequencedMap<String, String> peers = new LinkedHashMap<>();
    if (value == null) return peers;
    if (value instanceof Map<?, ?> map) {
      map.forEach((k, v) -> peers.put(String.valueOf(k), HostPorts.check("peers." + k, String.valueOf(v), false)));
      return peers;
    }
    for (String part : String.valueOf(value).split(",")) {
      if (part.isBlank()) continue;
      int eq = part.indexOf('=');
      if (eq <= 0) throw new ConfigException("peers", "expected id=host:port, got \"" + part.trim() + "\"");
      String id = part.substring(0, eq).trim();
      if (peers.put(id, HostPorts.check("peers." + id, part.substring(eq + 1).trim(), false)) != null) {
        throw new ConfigException("peers", "lists \"" + id + "\" twice");
      }
    }
    return peers;
  }

  private static String string(Map<String, Object> values, String key, String dflt) {
    Object v = values.get(key);
    return v == null ? dflt : String.valueOf(v).trim();
  }

  private static long positive(Map<String, Object> values, String key, long dflt) {
    Object v = values.get(key);
    if (v == null) return dflt;
    try {
      long n = Long.parseLong(String.valueOf(v).trim());
      if (n <= 0) throw new ConfigException(key, "must be positive, got " + n);
      return n;
    } catch (NumberFormatException e) {
      throw new ConfigException(key, "expected a whole number, got \"" + v + "\"");
    }
  }
}
