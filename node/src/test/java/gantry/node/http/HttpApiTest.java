package gantry.node.http;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import gantry.node.FreePorts;
import gantry.node.ManagerPeer;
import gantry.node.config.ServerConfigLoader;
import gantry.v1.DeregisterJobResponse;
import gantry.v1.DispatcherServiceGrpc;
import gantry.v1.GetDeploymentResponse;
import gantry.v1.GetJobResponse;
import gantry.v1.GetLeaderResponse;
import gantry.v1.GroupSpec;
import gantry.v1.JobSpec;
import gantry.v1.JobStatus;
import gantry.v1.ListAllocationsResponse;
import gantry.v1.ListDeploymentsResponse;
import gantry.v1.ListEvaluationsResponse;
import gantry.v1.ListJobsResponse;
import gantry.v1.ListNodesResponse;
import gantry.v1.ListPeersResponse;
import gantry.v1.Node;
import gantry.v1.RegisterJobResponse;
import gantry.v1.RegisterNodeRequest;
import gantry.v1.Resources;
import gantry.v1.ScaleJobResponse;
import gantry.v1.TaskSpec;
import gantry.v1.UpdatePolicy;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP API and /metrics of three real peers in one JVM (Ratis, RocksDB, gRPC and Jetty on
 * loopback), asked with the JDK's HttpClient as any client would. One node is registered through
 * the agents' gRPC API, with a heartbeat TTL long enough that it stays ready without an agent,
 * so jobs get pending allocations and every path has something to show.
 */
class HttpApiTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final String JSON = "application/json";

  @TempDir static Path dir;
  static final List<ManagerPeer> peers = new ArrayList<>();
  static final List<String> ids = List.of("m1", "m2", "m3");
  static final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  static Node node;

  record Reply(int status, String contentType, String body) {}

  @BeforeAll
  static void startCluster() throws Exception {
    int[] raft = {FreePorts.next(), FreePorts.next(), FreePorts.next()};
    String peerList = "m1=127.0.0.1:" + raft[0] + ",m2=127.0.0.1:" + raft[1] + ",m3=127.0.0.1:" + raft[2];
    for (String id : ids) {
      peers.add(ManagerPeer.start(ServerConfigLoader.load(null, Map.of(
          "id", id, "data_dir", dir.resolve(id).toString(), "peers", peerList,
          "grpc_addr", "127.0.0.1:" + FreePorts.next(), "http_addr", "127.0.0.1:" + FreePorts.next(),
          "heartbeat_ttl", "10m"))));
    }
    node = Node.newBuilder().setId("6f1c2d0e-node-one").setName("n1").addDrivers("exec")
        .setCapacity(Resources.newBuilder().setCpu(4000).setMemory(8192)).build();
    // Only the leader registers nodes; the others refuse until one of them leads.
    await().atMost(WAIT).ignoreExceptions().until(() -> registerNodeAnywhere(node));
  }

  private static boolean registerNodeAnywhere(Node n) {
    for (ManagerPeer p : peers) {
      ManagedChannel ch = ManagedChannelBuilder.forTarget(p.grpcAddress()).usePlaintext().build();
      try {
        DispatcherServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
            .register(RegisterNodeRequest.newBuilder().setNode(n).build());
        return true;
      } catch (RuntimeException notLeader) {
        // try the next peer
      } finally {
        ch.shutdownNow();
      }
    }
    return false;
  }

  @AfterAll
  static void stopCluster() {
    peers.forEach(ManagerPeer::close);
  }

  // ---- reads ----

  @Test
  void everyReadPathAnswersJsonThatParsesIntoItsMessage() throws Exception {
    RegisterJobResponse registered = parse(ok(post(0, "/v1/jobs", JSON, print(rolling("reads", 2)))), RegisterJobResponse.getDefaultInstance());
    awaitAllocations(1, "reads", 2);
    for (int i = 0; i < peers.size(); i++) {
      ListJobsResponse jobs = parse(ok(get(i, "/v1/jobs")), ListJobsResponse.getDefaultInstance());
      assertTrue(jobs.getJobsList().stream().anyMatch(j -> j.getName().equals("reads")), jobs.toString());
      GetJobResponse job = parse(ok(get(i, "/v1/job/reads")), GetJobResponse.getDefaultInstance());
      assertEquals(registered.getJob(), job.getJob());
      assertEquals(2, parse(ok(get(i, "/v1/job/reads/allocations")), ListAllocationsResponse.getDefaultInstance()).getAllocationsCount());
      ListNodesResponse nodes = parse(ok(get(i, "/v1/nodes")), ListNodesResponse.getDefaultInstance());
      assertEquals(List.of("n1"), nodes.getNodesList().stream().map(Node::getName).toList());
      assertEquals(node.getId(), parse(ok(get(i, "/v1/node/n1")), Node.getDefaultInstance()).getId());
      assertEquals("n1", parse(ok(get(i, "/v1/node/" + node.getId())), Node.getDefaultInstance()).getName());
      ListAllocationsResponse allocs = parse(ok(get(i, "/v1/allocations?job=reads&node=n1")), ListAllocationsResponse.getDefaultInstance());
      assertEquals(2, allocs.getAllocationsCount());
      ListDeploymentsResponse deployments = parse(ok(get(i, "/v1/deployments?job=reads")), ListDeploymentsResponse.getDefaultInstance());
      assertEquals(1, deployments.getDeploymentsCount(), "a job with an update policy rolls out as a deployment");
      String id = deployments.getDeployments(0).getId();
      GetDeploymentResponse deployment = parse(ok(get(i, "/v1/deployment/" + id.substring(0, 8))), GetDeploymentResponse.getDefaultInstance());
      assertEquals(id, deployment.getDeployment().getId());
      ListEvaluationsResponse evals = parse(ok(get(i, "/v1/evaluations?job=reads")), ListEvaluationsResponse.getDefaultInstance());
      assertFalse(evals.getEvaluationsList().isEmpty(), "the registration made an evaluation");
      assertTrue(evals.getEvaluationsList().stream().allMatch(e -> e.getJob().equals("reads")), evals.toString());
      assertTrue(evals.getEvaluationsList().stream().anyMatch(e -> e.getTriggeredBy().equals("job-register")), evals.toString());
      ListEvaluationsResponse complete = parse(ok(get(i, "/v1/evaluations?job=reads&status=complete")),
          ListEvaluationsResponse.getDefaultInstance());
      assertTrue(complete.getEvaluationsList().stream().allMatch(e -> e.getStatus() == gantry.v1.EvalStatus.EVAL_STATUS_COMPLETE),
          complete.toString());
      long newest = Long.MAX_VALUE;
      for (gantry.v1.Evaluation e : parse(ok(get(i, "/v1/evaluations")), ListEvaluationsResponse.getDefaultInstance()).getEvaluationsList()) {
        assertTrue(e.getCreateIndex() <= newest, "newest first");
        newest = e.getCreateIndex();
      }
      ListPeersResponse peerList = parse(ok(get(i, "/v1/status/peers")), ListPeersResponse.getDefaultInstance());
      assertEquals(ids, peerList.getPeersList().stream().map(gantry.v1.Peer::getId).sorted().toList());
      GetLeaderResponse leader = parse(ok(get(i, "/v1/status/leader")), GetLeaderResponse.getDefaultInstance());
      assertTrue(ids.contains(leader.getLeader().getId()), leader.toString());
      assertTrue(leader.getTerm() >= 1, leader.toString());
    }
  }

  @Test
  void staleReadsAnswerFromThePeerItself() throws Exception {
    ok(post(0, "/v1/jobs", JSON, print(job("stale", 1))));
    // The write is acknowledged once the leader applied it; a linearizable read on a peer returns
    // once that peer applied it too, and from then on the peer's own (stale) answer has it.
    ok(get(2, "/v1/job/stale"));
    assertEquals("stale", parse(ok(get(2, "/v1/job/stale?stale")), GetJobResponse.getDefaultInstance()).getJob().getName());
    for (int i = 0; i < peers.size(); i++) {
      parse(ok(get(i, "/v1/jobs?stale=true")), ListJobsResponse.getDefaultInstance());
      parse(ok(get(i, "/v1/nodes?stale")), ListNodesResponse.getDefaultInstance());
      parse(ok(get(i, "/v1/allocations?stale")), ListAllocationsResponse.getDefaultInstance());
      parse(ok(get(i, "/v1/deployments?stale")), ListDeploymentsResponse.getDefaultInstance());
      parse(ok(get(i, "/v1/evaluations?stale")), ListEvaluationsResponse.getDefaultInstance());
    }
    assertError(get(0, "/v1/jobs?stale=maybe"), 400, "stale");
  }

  // ---- writes ----

  @Test
  void postsJsonAndYamlAndReadsThemBack() throws Exception {
    JobSpec api = job("api", 2);
    RegisterJobResponse first = parse(ok(post(0, "/v1/jobs", JSON, print(api))), RegisterJobResponse.getDefaultInstance());
    assertTrue(first.getChanged());
    assertEquals(1, first.getJob().getVersion());
    assertEquals(api, parse(ok(get(1, "/v1/job/api")), GetJobResponse.getDefaultInstance()).getJob().getSpec());
    RegisterJobResponse again = parse(ok(post(1, "/v1/jobs", JSON, print(api))), RegisterJobResponse.getDefaultInstance());
    assertFalse(again.getChanged(), "the same spec again is no new version");

    String yaml = """
        job: batchy
        type: batch
        groups:
          - name: work
            count: 3
            tasks:
              - name: t
                driver: exec
                command: [sleep, "1"]
                resources: {cpu: 100, memory: 32}
        """;
    RegisterJobResponse fromYaml = parse(ok(post(2, "/v1/jobs", "application/yaml", yaml)), RegisterJobResponse.getDefaultInstance());
    assertEquals("batchy", fromYaml.getJob().getName());
    JobSpec read = parse(ok(get(0, "/v1/job/batchy")), GetJobResponse.getDefaultInstance()).getJob().getSpec();
    assertEquals("batch", read.getType());
    assertEquals(3, read.getGroups(0).getCount());
    assertEquals(List.of("sleep", "1"), read.getGroups(0).getTasks(0).getCommandList());
  }

  @Test
  void aBadSpecIs400NamingTheFieldAndWritesNothing() throws Exception {
    ListJobsResponse before = parse(ok(get(0, "/v1/jobs")), ListJobsResponse.getDefaultInstance());
    JobSpec negative = job("bad", 1).toBuilder().setGroups(0, job("bad", 1).getGroups(0).toBuilder().setCount(-1)).build();
    Struct e = assertError(post(0, "/v1/jobs", JSON, print(negative)), 400, "groups[0].count");
    assertTrue(e.getFieldsOrThrow("error").getStringValue().startsWith("groups[0].count: "), e.toString());
    assertError(post(1, "/v1/jobs", "application/yaml", "job: bad\ngroups: [{name: g, count: many}]\n"), 400, "groups[0].count");
    assertError(post(2, "/v1/jobs", JSON, "{\"name\": \"bad\", \"grups\": []}"), 400, "spec");
    assertError(post(0, "/v1/jobs", "text/plain", "job: bad"), 415, null);
    assertError(get(0, "/v1/job/bad"), 404, null);
    ListJobsResponse after = parse(ok(get(0, "/v1/jobs")), ListJobsResponse.getDefaultInstance());
    assertEquals(before.getJobsList(), after.getJobsList());
  }

  @Test
  void scaleStopAndPurge() throws Exception {
    ok(post(0, "/v1/jobs", JSON, print(job("scaled", 1))));
    ScaleJobResponse scaled = parse(ok(post(1, "/v1/job/scaled/scale", JSON, "{\"group\": \"g\", \"count\": 3}")),
        ScaleJobResponse.getDefaultInstance());
    assertEquals(3, scaled.getJob().getSpec().getGroups(0).getCount());
    assertEquals(2, scaled.getJob().getVersion());
    assertEquals(3, parse(ok(get(2, "/v1/job/scaled")), GetJobResponse.getDefaultInstance()).getJob().getSpec().getGroups(0).getCount());
    assertError(post(1, "/v1/job/scaled/scale", JSON, "{\"group\": \"g\", \"count\": -2}"), 400, "count");
    assertError(post(1, "/v1/job/scaled/scale", JSON, "{\"name\": \"other\", \"group\": \"g\", \"count\": 2}"), 400, "name");

    DeregisterJobResponse stopped = parse(ok(send(2, "DELETE", "/v1/job/scaled", null, null)), DeregisterJobResponse.getDefaultInstance());
    assertEquals(JobStatus.JOB_STATUS_STOPPED, stopped.getJob().getStatus());
    assertEquals(JobStatus.JOB_STATUS_STOPPED, parse(ok(get(0, "/v1/job/scaled")), GetJobResponse.getDefaultInstance()).getJob().getStatus());
    ok(send(0, "DELETE", "/v1/job/scaled?purge=true", null, null));
    assertError(get(1, "/v1/job/scaled"), 404, null);
  }

  // ---- what is not there ----

  @Test
  void unknownThingsAnswerJsonErrors() throws Exception {
    Struct job = assertError(get(0, "/v1/job/nope"), 404, null);
    assertTrue(job.getFieldsOrThrow("error").getStringValue().contains("nope"), job.toString());
    assertError(get(1, "/v1/node/nope"), 404, null);
    assertError(get(2, "/v1/deployment/ffffffff"), 404, null);
    assertError(get(0, "/v1/deployment/ab"), 400, "id");
    assertError(get(0, "/v1/nope"), 404, null);
    assertError(send(0, "PUT", "/v1/jobs", JSON, "{}"), 405, null);
    Struct e = assertError(get(1, "/v1/evaluations?status=done"), 400, "status");
    assertTrue(e.getFieldsOrThrow("error").getStringValue().contains("blocked"), e.toString());
  }

  @Test
  void theWebUiIsServedFromTheJarOnEveryPeer() throws Exception {
    for (int peer = 0; peer < 3; peer++) {
      HttpResponse<String> home = raw(peer, "/", null);
      assertEquals(200, home.statusCode(), home.body());
      assertEquals("text/html;charset=utf-8", home.headers().firstValue("Content-Type").orElse("").replace(" ", "").toLowerCase());
      assertTrue(home.body().contains("<script src=\"/ui/assets/app.js\""), home.body());
      assertEquals("no-cache", home.headers().firstValue("Cache-Control").orElse(""));
      assertTrue(home.headers().firstValue("Content-Security-Policy").orElse("").contains("script-src 'self'"), home.headers().toString());
    }
    // A job's page is the same document: the script reads the name from the path.
    HttpResponse<String> jobPage = raw(1, "/ui/jobs/some%20job", null);
    assertEquals(200, jobPage.statusCode());
    assertEquals(raw(0, "/", null).body(), jobPage.body());

    HttpResponse<String> js = raw(0, "/ui/assets/app.js", null);
    assertEquals(200, js.statusCode());
    assertTrue(js.headers().firstValue("Content-Type").orElse("").startsWith("text/javascript"), js.headers().toString());
    assertTrue(js.body().contains("/v1/event/stream"), "the script follows the event stream");
    HttpResponse<String> css = raw(0, "/ui/assets/app.css", null);
    assertTrue(css.headers().firstValue("Content-Type").orElse("").startsWith("text/css"), css.headers().toString());

    // Revalidation: the same ETag answers 304 without a body.
    String etag = js.headers().firstValue("ETag").orElseThrow();
    HttpResponse<String> again = raw(0, "/ui/assets/app.js", etag);
    assertEquals(304, again.statusCode());
    assertEquals("", again.body());

    assertError(get(0, "/ui/assets/nope.js"), 404, null);
    assertError(get(0, "/ui/nope"), 404, null);
  }

  private static HttpResponse<String> raw(int peer, String path, String ifNoneMatch) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + peers.get(peer).httpAddress() + path)).timeout(WAIT);
    if (ifNoneMatch != null) b.header("If-None-Match", ifNoneMatch);
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void servicesAreTheLeadersAndAFollowerSaysWhoLeads() throws Exception {
    String leader = parse(ok(get(0, "/v1/status/leader")), GetLeaderResponse.getDefaultInstance()).getLeader().getId();
    int l = ids.indexOf(leader);
    ok(post(l, "/v1/jobs", JSON, print(job("served", 1).toBuilder().setGroups(0, job("served", 1).getGroups(0).toBuilder()
        .setTasks(0, job("served", 1).getGroups(0).getTasks(0).toBuilder()
            .addPorts(gantry.v1.PortSpec.newBuilder().setName("http"))
            .setService(gantry.v1.ServiceSpec.newBuilder().setName("served-api").setPort("http").addTags("v1")))).build())));
    gantry.v1.ListServicesResponse list = parse(ok(get(l, "/v1/services")), gantry.v1.ListServicesResponse.getDefaultInstance());
    var api = list.getServicesList().stream().filter(x -> x.getName().equals("served-api")).findFirst().orElseThrow();
    assertEquals(List.of("served"), api.getJobsList());
    assertEquals(List.of("v1"), api.getTagsList());
    // The node's agent never reports the allocation running: no endpoint.
    gantry.v1.ServiceEndpoints set = parse(ok(get(l, "/v1/service/served-api")), gantry.v1.ServiceEndpoints.getDefaultInstance());
    assertEquals("served-api", set.getService());
    assertEquals(0, set.getEndpointsCount());
    assertError(get(l, "/v1/service/nope"), 404, null);
    Struct follower = assertError(get((l + 1) % ids.size(), "/v1/services"), 503, null);
    assertTrue(follower.getFieldsOrThrow("error").getStringValue().contains("leader"), follower.toString());
  }

  @Test
  void liveMetricsAreTheLeadersAndAFollowerSaysWhoLeads() throws Exception {
    String leader = parse(ok(get(0, "/v1/status/leader")), GetLeaderResponse.getDefaultInstance()).getLeader().getId();
    int l = ids.indexOf(leader);
    // No agent reports here: an empty live view, in the message's JSON.
    gantry.v1.GetLiveMetricsResponse live = parse(ok(get(l, "/v1/metrics/live")), gantry.v1.GetLiveMetricsResponse.getDefaultInstance());
    assertEquals(0, live.getNodesCount());
    Struct follower = assertError(get((l + 1) % ids.size(), "/v1/metrics/live"), 503, null);
    assertTrue(follower.getFieldsOrThrow("error").getStringValue().contains("leader"), follower.toString());
  }

  // ---- metrics ----

  @Test
  void metricsAreThePrometheusTextWithTheGantrySeries() throws Exception {
    RegisterJobResponse registered = parse(ok(post(0, "/v1/jobs", JSON, print(job("metered", 2)))), RegisterJobResponse.getDefaultInstance());
    awaitAllocations(0, "metered", 2);
    // The cluster agrees on one leader, named by Raft's own answer, in one round of scrapes.
    await().atMost(WAIT).untilAsserted(() -> {
      String leader = parse(ok(get(0, "/v1/status/leader")), GetLeaderResponse.getDefaultInstance()).getLeader().getId();
      List<PrometheusText.Exposition> all = new ArrayList<>();
      for (int i = 0; i < peers.size(); i++) all.add(scrape(i));
      double sum = 0;
      for (int i = 0; i < peers.size(); i++) {
        double leads = all.get(i).value("gantry_raft_leader", Map.of());
        assertEquals(ids.get(i).equals(leader) ? 1 : 0, leads, ids.get(i) + " vs leader " + leader);
        sum += leads;
        assertEquals(all.get(0).value("gantry_raft_term", Map.of()), all.get(i).value("gantry_raft_term", Map.of()));
      }
      assertEquals(1, sum);
      assertTrue(all.get(ids.indexOf(leader)).value("gantry_raft_leader_changes_total", Map.of()) >= 1,
          "the leader saw itself become leader");
    });
    for (int i = 0; i < peers.size(); i++) {
      // A linearizable read on a peer returns once that peer applied what it saw; its metrics follow.
      assertEquals(2, parse(ok(get(i, "/v1/job/metered/allocations")), ListAllocationsResponse.getDefaultInstance()).getAllocationsCount());
      PrometheusText.Exposition m = scrape(i);
      assertEquals("gauge", m.types().get("gantry_raft_term"));
      assertEquals("gauge", m.types().get("gantry_raft_applied_index"));
      assertEquals("gauge", m.types().get("gantry_raft_leader"));
      assertEquals("counter", m.types().get("gantry_raft_leader_changes_total"));
      assertEquals("gauge", m.types().get("gantry_nodes"));
      assertEquals("gauge", m.types().get("gantry_allocations"));
      assertEquals("gauge", m.types().get("gantry_job_allocations"));
      assertTrue(m.value("gantry_raft_term", Map.of()) >= 1);
      assertTrue(m.value("gantry_raft_applied_index", Map.of()) >= registered.getIndex());
      assertEquals(1, m.value("gantry_nodes", Map.of("status", "ready")));
      assertEquals(0, m.value("gantry_nodes", Map.of("status", "down")));
      assertEquals(2, m.value("gantry_job_allocations", Map.of("job", "metered", "group", "g", "status", "pending")));
      double pendingPerJob = m.all("gantry_job_allocations").stream()
          .filter(s -> s.labels().get("status").equals("pending")).mapToDouble(PrometheusText.Sample::value).sum();
      assertEquals(pendingPerJob, m.value("gantry_allocations", Map.of("status", "pending")));
      assertTrue(m.value("gantry_allocations", Map.of("status", "pending")) >= 2);
      assertEquals(0, m.value("gantry_allocations", Map.of("status", "failed")));
      assertFalse(m.all("jvm_memory_used_bytes").isEmpty(), "the JVM metrics are there too");
      assertEquals("gauge", m.types().get("gantry_raft_commit_index"));
      assertTrue(m.value("gantry_raft_commit_index", Map.of()) >= m.value("gantry_raft_applied_index", Map.of()),
          "read after the applied index, the commit index is never behind it");
      assertEquals("histogram", m.types().get("gantry_raft_apply_seconds"));
      assertTrue(m.value("gantry_raft_apply_seconds_count", Map.of()) >= 1, "every peer applied the registration");
      assertEquals(2, m.value("gantry_job_desired_allocations", Map.of("job", "metered", "group", "g")));
    }
    // Scheduling happens on whichever peer led: summed over the peers, it is all there. The
    // placements count once the leader's loop handled the commit, just after the entry applied.
    await().atMost(WAIT).untilAsserted(() -> {
      double evaluations = 0;
      double timed = 0;
      double placed = 0;
      for (int i = 0; i < peers.size(); i++) {
        PrometheusText.Exposition m = scrape(i);
        assertEquals("counter", m.types().get("gantry_scheduler_evaluations_total"));
        assertEquals("histogram", m.types().get("gantry_scheduling_seconds"));
        assertEquals("counter", m.types().get("gantry_plan_rejections_total"));
        assertEquals("gauge", m.types().get("gantry_agent_sessions"));
        evaluations += m.value("gantry_scheduler_evaluations_total", Map.of());
        timed += m.value("gantry_scheduling_seconds_count", Map.of());
        placed += m.value("gantry_scheduler_placements_total", Map.of());
      }
      assertTrue(evaluations >= 1, "the registration's evaluation ran");
      assertTrue(timed >= 1, "and was timed");
      assertTrue(placed >= 2, "both of metered's allocations were committed, counted " + placed);
    });
  }

  // ---- helpers ----

  private static PrometheusText.Exposition scrape(int peer) throws Exception {
    Reply r = get(peer, "/metrics");
    assertEquals(200, r.status(), r.body());
    assertTrue(r.contentType().startsWith("text/plain"), r.contentType());
    return PrometheusText.parse(r.body());
  }

  /** Scheduling runs after the registration is acknowledged: wait, bounded, for the placements. */
  private static void awaitAllocations(int peer, String job, int count) {
    await().atMost(WAIT).untilAsserted(() -> assertEquals(count,
        parse(ok(get(peer, "/v1/job/" + job + "/allocations")), ListAllocationsResponse.getDefaultInstance()).getAllocationsCount()));
  }

  static JobSpec job(String name, int count) {
    return JobSpec.newBuilder().setName(name).addGroups(GroupSpec.newBuilder().setName("g").setCount(count)
        .addTasks(TaskSpec.newBuilder().setName("t").setDriver("exec").addCommand("sleep").addCommand("3600")
            .setResources(Resources.newBuilder().setCpu(100).setMemory(32)))).build();
  }

  static JobSpec rolling(String name, int count) {
    JobSpec plain = job(name, count);
    return plain.toBuilder().setGroups(0, plain.getGroups(0).toBuilder().setUpdate(UpdatePolicy.newBuilder()
        .setMaxParallel(1).setMinHealthyTimeMs(1_000).setHealthyDeadlineMs(60_000))).build();
  }

  static String print(Message m) throws InvalidProtocolBufferException {
    return JsonFormat.printer().print(m);
  }

  /** Strict: a field the message does not have fails the parse. */
  @SuppressWarnings("unchecked")
  static <T extends Message> T parse(String json, T type) throws InvalidProtocolBufferException {
    Message.Builder into = type.newBuilderForType();
    JsonFormat.parser().merge(json, into);
    return (T) into.build();
  }

  static String ok(Reply r) {
    assertEquals(200, r.status(), r.body());
    assertTrue(r.contentType().startsWith(JSON), r.contentType());
    return r.body();
  }

  /** An error reply: the status, JSON {"error": ...} and "field" exactly when one is expected. */
  static Struct assertError(Reply r, int status, String field) throws InvalidProtocolBufferException {
    assertEquals(status, r.status(), r.body());
    assertTrue(r.contentType().startsWith(JSON), r.contentType());
    Struct body = parse(r.body(), Struct.getDefaultInstance());
    assertTrue(body.containsFields("error") && !body.getFieldsOrThrow("error").getStringValue().isBlank(), r.body());
    if (field == null) {
      assertFalse(body.containsFields("field"), r.body());
    } else {
      assertTrue(body.containsFields("field"), "no field named in " + r.body());
      assertEquals(field, body.getFieldsOrThrow("field").getStringValue(), r.body());
    }
    return body;
  }

  static Reply get(int peer, String path) throws Exception {
    return send(peer, "GET", path, null, null);
  }

  static Reply post(int peer, String path, String contentType, String body) throws Exception {
    return send(peer, "POST", path, contentType, body);
  }

  static Reply send(int peer, String method, String path, String contentType, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + peers.get(peer).httpAddress() + path))
        .timeout(WAIT)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) b.header("Content-Type", contentType);
    HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body());
  }
}
