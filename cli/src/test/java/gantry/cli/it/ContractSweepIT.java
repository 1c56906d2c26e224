package gantry.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract's promise about output, swept over every client verb and HTTP path against real
 * processes (one manager, one exec agent, a job with a service and an update policy): every verb's
 * {@code --json} output is JSON on stdout, every documented {@code /v1} path answers a JSON body
 * ({@code /metrics} the Prometheus text, the event stream NDJSON), and each verb's main error
 * (unknown job, node, deployment, allocation...; a bad flag value; no manager reachable) exits 1
 * or 2 with exactly one line on stderr. The verbs run in the order a user would (run, inspect,
 * steer, stop), so each reads what the ones before made.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContractSweepIT {
  private static final String JOB = "sweep";
  /** min_healthy_time 60 s keeps the first deployment running while pause and resume are tried on it. */
  private static final String SPEC = """
      job: sweep
      type: service
      groups:
        - name: g
          count: 1
          update: {max_parallel: 1, min_healthy_time: 60s, healthy_deadline: 5m, progress_deadline: 10m}
          tasks:
            - name: t
              driver: exec
              command: [sleep, "3600"]
              resources: {cpu: 100, memory: 32}
              ports: [{name: http}]
              service: {name: sweep-svc, port: http}
      """;

  @TempDir static Path dir;
  private static OneManager cluster;
  private static String http;
  private static Path spec;
  private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void start() throws Exception {
    cluster = OneManager.start(dir, "ContractSweepIT", "exec", "a1");
    http = "http://127.0.0.1:" + cluster.cluster.peers().getFirst().httpPort();
    spec = dir.resolve("sweep.yaml");
    Files.writeString(spec, SPEC);
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) cluster.close();
  }

  // ---- every verb's --json is JSON on stdout ----

  @Test
  @Order(1)
  void everyClientVerbPrintsJson() throws Exception {
    json("job", "run", spec.toString(), "--detach");
    AgentDockerClusterIT.await("sweep's allocation running", 90, () -> cluster.running(JOB).size() == 1);
    json("job", "ls");
    json("job", "status", JOB);
    json("job", "history", JOB);
    Struct allocs = json("alloc", "ls");
    json("alloc", "ls", "--job", JOB, "--node", "a1");
    String alloc = allocs.getFieldsOrThrow("allocations").getListValue().getValues(0).getStructValue()
        .getFieldsOrThrow("id").getStringValue();
    json("alloc", "logs", alloc.substring(0, 8));
    json("node", "ls");
    Struct evals = json("eval", "ls");
    assertFalse(evals.getFieldsOrThrow("evaluations").getListValue().getValuesList().isEmpty(), evals.toString());
    json("eval", "ls", "--job", JOB, "--status", "complete");
    Struct deployments = json("deployment", "ls");
    String deployment = deployments.getFieldsOrThrow("deployments").getListValue().getValues(0).getStructValue()
        .getFieldsOrThrow("id").getStringValue();
    json("deployment", "ls", "--job", JOB);
    json("deployment", "status", deployment.substring(0, 8));
    json("deployment", "pause", deployment);
    json("deployment", "resume", deployment);
    json("deployment", "fail", deployment);
    AgentDockerClusterIT.await("sweep-svc has an endpoint", 60, () -> cluster.stub().getServiceEndpoints(
        gantry.v1.GetServiceEndpointsRequest.newBuilder().setName("sweep-svc").build()).getEndpointsCount() == 1);
    json("service", "ls");
    json("service", "endpoints", "sweep-svc");
    json("operator", "raft", "peers");
    json("job", "scale", JOB, "g", "2");
    json("job", "revert", JOB, "1", "--detach");
    // The spec of version 1 again: unchanged, so `job run` without --detach answers at once.
    json("job", "run", spec.toString());

    Struct boot = json("acl", "bootstrap");
    assertFalse(boot.getFieldsMap().isEmpty(), boot.toString());
    Path policy = dir.resolve("dev-policy.yaml");
    Files.writeString(policy, "jobs: read\n");
    json("acl", "policy", "apply", "dev", policy.toString());
    json("acl", "policy", "ls");
    Struct token = json("acl", "token", "create", "--name", "sweeper", "--policy", "dev");
    json("acl", "token", "ls");
    json("acl", "token", "revoke", accessor(token));
    json("acl", "policy", "delete", "dev");

    List<String> audit = lines(Gantry.ok(Gantry.runAt(cluster.addresses(), "operator", "audit", "--json")));
    assertFalse(audit.isEmpty(), "the writes above are in the audit log");
    audit.forEach(ContractSweepIT::parse);
    List<String> events = firstLines(3, Duration.ofSeconds(30), "events", "--index", "1", "--json", "--address", cluster.addresses());
    assertEquals(3, events.size(), "three event lines within 30 s: " + events);
    events.forEach(ContractSweepIT::parse);

    Path pki = dir.resolve("pki");
    parse(Gantry.ok(Gantry.run("tls", "ca", "create", "--dir", pki.toString(), "--json")));
    parse(Gantry.ok(Gantry.run("tls", "cert", "create", "--dir", pki.toString(), "--role", "client", "--name", "u", "--json")));

    json("node", "drain", "a1");
    json("node", "drain", "a1", "--disable");
    json("job", "stop", JOB);
    json("system", "gc");
  }

  // ---- every HTTP path answers JSON ----

  @Test
  @Order(2)
  void everyHttpPathAnswersJson() throws Exception {
    Struct registered = jsonBody(200, send("POST", "/v1/jobs", "application/yaml", SPEC.replace("sweep", "sweep-http")));
    assertTrue(registered.containsFields("job"), registered.toString());
    AgentDockerClusterIT.await("sweep-http placed", 90, () -> !cluster.allocs("sweep-http").isEmpty());
    jsonBody(200, send("POST", "/v1/job/sweep-http/scale", "application/json", "{\"group\":\"g\",\"count\":1}"));
    String deployment = jsonBody(200, get("/v1/deployments?job=sweep-http")).getFieldsOrThrow("deployments").getListValue()
        .getValues(0).getStructValue().getFieldsOrThrow("id").getStringValue();
    for (String path : List.of("/v1/jobs", "/v1/jobs?prefix=sweep", "/v1/job/sweep-http", "/v1/job/sweep-http/allocations",
        "/v1/nodes", "/v1/node/a1", "/v1/allocations", "/v1/allocations?job=sweep-http&node=a1", "/v1/evaluations",
        "/v1/evaluations?job=sweep-http&stale", "/v1/deployments", "/v1/deployment/" + deployment, "/v1/status/leader",
        "/v1/status/peers", "/v1/services", "/v1/service/sweep-http-svc")) {
      jsonBody(200, get(path));
    }
    // Errors are JSON too: {"error": ..., "field": ...}.
    for (String path : List.of("/v1/job/nope", "/v1/node/nope", "/v1/deployment/ffffffff", "/v1/service/nope")) {
      assertTrue(jsonBody(404, get(path)).containsFields("error"), path);
    }
    assertEquals("status", jsonBody(400, get("/v1/evaluations?status=done")).getFieldsOrThrow("field").getStringValue());
    assertTrue(jsonBody(404, get("/v1/nope")).containsFields("error"));

    HttpResponse<String> metrics = get("/metrics");
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"), metrics.headers().toString());
    assertTrue(metrics.body().lines().anyMatch(l -> l.startsWith("gantry_raft_term ")), "gantry_raft_term in /metrics");

    HttpRequest stream = HttpRequest.newBuilder(URI.create(http + "/v1/event/stream?index=1")).build();
    HttpResponse<java.io.InputStream> events = CLIENT.send(stream, HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, events.statusCode());
    assertTrue(events.headers().firstValue("Content-Type").orElse("").startsWith("application/x-ndjson"));
    try (BufferedReader r = new BufferedReader(new InputStreamReader(events.body(), StandardCharsets.UTF_8))) {
      for (int i = 0; i < 3; i++) assertTrue(parse(r.readLine()).containsFields("index"), "an event line");
    }
    jsonBody(200, send("DELETE", "/v1/job/sweep-http", null, null));
    jsonBody(200, send("PUT", "/v1/system/gc", null, null));
  }

  // ---- every error path: exit 1 or 2 and one line on stderr ----

  @Test
  @Order(3)
  void everyVerbsMainErrorIsOneLineAndExitOneOrTwo() throws Exception {
    String unreachable = "127.0.0.1:" + PeerProcesses.freePort();
    Path missing = dir.resolve("no-such.yaml");
    Path pki = dir.resolve("pki-errors");
    Gantry.ok(Gantry.run("tls", "ca", "create", "--dir", pki.toString()));
    record Case(int exit, List<String> args, boolean local) {}
    List<Case> cases = List.of(
        new Case(1, List.of("job", "status", "nope"), false),
        new Case(1, List.of("job", "stop", "nope"), false),
        new Case(1, List.of("job", "history", "nope"), false),
        new Case(1, List.of("job", "scale", "nope", "g", "1"), false),
        new Case(2, List.of("job", "scale", JOB, "g", "many"), false),
        new Case(1, List.of("job", "revert", JOB, "99"), false),
        new Case(2, List.of("job", "run", missing.toString()), false),
        new Case(2, List.of("job", "ls", "--bogus"), false),
        new Case(2, List.of("job"), false),
        new Case(1, List.of("deployment", "status", "ffffffff"), false),
        new Case(2, List.of("deployment", "status", "ab"), false),
        new Case(1, List.of("deployment", "promote", "ffffffff"), false),
        new Case(1, List.of("deployment", "pause", "ffffffff"), false),
        new Case(2, List.of("eval", "ls", "--status", "done"), false),
        new Case(1, List.of("alloc", "logs", "ffffffff"), false),
        new Case(1, List.of("node", "drain", "nope"), false),
        new Case(1, List.of("service", "endpoints", "nope"), false),
        new Case(1, List.of("operator", "raft", "transfer-leader", "nope"), false),
        new Case(2, List.of("operator", "audit", "--since", "yesterday"), false),
        new Case(2, List.of("events", "--topic", "nope"), false),
        new Case(1, List.of("acl", "policy", "delete", "nope"), false),
        new Case(1, List.of("acl", "token", "revoke", "00000000-0000-0000-0000-000000000000"), false),
        new Case(2, List.of("acl", "policy", "apply", "x", missing.toString()), false),
        new Case(2, List.of("tls", "cert", "create", "--dir", pki.toString(), "--role", "admin", "--name", "x"), true),
        new Case(2, List.of("job", "ls", "--address", "nope"), true),
        new Case(1, List.of("job", "ls", "--address", unreachable), true),
        new Case(1, List.of("node", "ls", "--address", unreachable), true),
        new Case(1, List.of("eval", "ls", "--address", unreachable), true),
        new Case(1, List.of("deployment", "ls", "--address", unreachable), true),
        new Case(1, List.of("operator", "audit", "--address", unreachable), true),
        new Case(1, List.of("events", "--address", unreachable), true));
    List<String> wrong = new ArrayList<>();
    for (Case c : cases) {
      String[] args = c.args().toArray(String[]::new);
      Gantry.Result r = c.local() ? Gantry.run(args) : Gantry.runAt(cluster.addresses(), args);
      List<String> err = lines(r.stderr());
      if (r.exit() != c.exit() || err.size() != 1) {
        wrong.add("gantry " + String.join(" ", c.args()) + ": exit " + r.exit() + " (want " + c.exit() + "), stderr "
            + err.size() + " line(s): " + r.stderr().strip());
      }
    }
    assertTrue(wrong.isEmpty(), String.join("\n", wrong));
  }

  // ---- helpers ----

  /** Runs the verb with --json against the manager; its stdout must be one JSON object. */
  private static Struct json(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--json");
    Gantry.Result r = Gantry.runAt(cluster.addresses(), all.toArray(String[]::new));
    if (r.exit() != 0) throw new AssertionError("gantry " + String.join(" ", all) + ": exit " + r.exit() + ": " + r.stderr());
    try {
      return parse(r.stdout());
    } catch (IllegalStateException e) {
      throw new AssertionError("gantry " + String.join(" ", all) + " --json printed no JSON: " + r.stdout(), e);
    }
  }

  private static Struct parse(String text) {
    if (text == null) throw new AssertionError("no line");
    return PrometheusServer.parse(text);
  }

  private static String accessor(Struct token) {
    for (var e : token.getFieldsMap().entrySet()) {
      if (e.getKey().toLowerCase(java.util.Locale.ROOT).contains("accessor")) return e.getValue().getStringValue();
      if (e.getValue().getKindCase() == Value.KindCase.STRUCT_VALUE) {
        var inner = e.getValue().getStructValue().getFieldsMap();
        for (var f : inner.entrySet()) if (f.getKey().toLowerCase(java.util.Locale.ROOT).contains("accessor")) return f.getValue().getStringValue();
      }
    }
    throw new AssertionError("no accessor in " + token);
  }

  private static List<String> lines(String text) {
    return text.lines().filter(l -> !l.isBlank()).toList();
  }

  /**
   * The first {@code n} stdout lines of a verb that follows until stopped ({@code gantry events}),
   * read for at most {@code within}; the process is then destroyed.
   */
  private static List<String> firstLines(int n, Duration within, String... args) throws Exception {
    Process p = new ProcessBuilder(Gantry.command(args)).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    p.getOutputStream().close();
    BlockingQueue<String> got = new ArrayBlockingQueue<>(n);
    Thread reader = Thread.ofVirtual().start(() -> {
      try (BufferedReader r = p.inputReader(StandardCharsets.UTF_8)) {
        String line;
        while (got.size() < n && (line = r.readLine()) != null) got.add(line);
      } catch (java.io.IOException e) {
        // the process was destroyed: the lines read so far are the answer
      }
    });
    List<String> out = new ArrayList<>();
    long end = System.nanoTime() + within.toNanos();
    while (out.size() < n) {
      String line = got.poll(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
      if (line == null) break;
      out.add(line);
    }
    p.destroy();
    if (!p.waitFor(10, TimeUnit.SECONDS)) p.destroyForcibly();
    reader.join(Duration.ofSeconds(5));
    return out;
  }

  private static HttpResponse<String> get(String path) throws Exception {
    return send("GET", path, null, null);
  }

  private static HttpResponse<String> send(String method, String path, String type, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(http + path)).timeout(Duration.ofSeconds(30));
    if (type != null) b.header("Content-Type", type);
    b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The body as JSON, after checking the status and that the answer says it is JSON. */
  private static Struct jsonBody(int status, HttpResponse<String> r) {
    assertEquals(status, r.statusCode(), r.request().method() + " " + r.uri() + ": " + r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
        r.uri() + " Content-Type " + r.headers().firstValue("Content-Type"));
    return parse(r.body());
  }
}
