package gantry.cli.it;

import static gantry.cli.it.Gantry.ok;
import static gantry.cli.it.AgentDockerClusterIT.await;
import static gantry.cli.it.AgentDockerClusterIT.column;
import static gantry.cli.it.AgentDockerClusterIT.healthy;
import static gantry.cli.it.AgentDockerClusterIT.isRunning;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.Allocation;
import gantry.v1.ListAllocationsRequest;
import gantry.v1.ListNodesRequest;
import gantry.v1.Node;
import gantry.v1.NodeStatus;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * One manager process and three agent processes, each test on its own agent (by label): the exec
 * driver runs the web job's shape as plain processes with an exec health check; a docker agent
 * restarted while its containers run re-attaches without a duplicate; a docker agent that reaches
 * the manager through a TCP proxy is cut off at the socket level and stops its allocation after
 * {@code disconnect.stop_after} (and not after a shorter cut). The heartbeat TTL is 30 s, so an agent
 * restart is not a node loss.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentFaultsIT {
  // Long enough for an agent JVM to restart on a loaded machine without its node being declared lost;
  // stop_after is below it, so a cut-off agent stops its work before the managers replace it.
  private static final int TTL_S = 30;
  private static final int STOP_AFTER_S = 20;

  @TempDir static Path dir;
  private PeerProcesses cluster;
  private AgentProcesses agents;
  private TcpProxy proxy;
  private final List<String> jobs = new ArrayList<>();

  @BeforeAll
  void startCluster() throws Exception {
    cluster = new PeerProcesses(dir.resolve("managers"), 1, Map.of("heartbeat_ttl", TTL_S + "s"));
    cluster.startAll();
    cluster.awaitLeader(Duration.ofSeconds(90));
    agents = new AgentProcesses(dir.resolve("agents"), Path.of(System.getProperty("gantry.it.logs", dir.toString()))
        .resolve("AgentFaultsIT-agents-" + System.currentTimeMillis()));
    proxy = new TcpProxy(cluster.peer("m1").grpcPort());
    agents.start("x1", cluster.addresses(), "exec", Map.of("role", "exec"));
    agents.start("d1", cluster.addresses(), "docker", Map.of("role", "docker"));
    agents.start("p1", proxy.address(), "docker", Map.of("role", "partition"));
    await("three ready nodes", 120, () -> ready("x1") && ready("d1") && ready("p1"));
  }

  @AfterAll
  void stopCluster() throws Exception {
    try {
      if (agents != null) agents.close();
      for (String job : jobs) DockerCli.removeAllOf(allocIds(job));
      if (proxy != null) proxy.close();
    } finally {
      if (cluster != null) cluster.close();
    }
  }

  @Test
  void execDriverRunsTheWebJobShapeWithAnExecCheck() throws Exception {
    String job = use("web-exec");
    submit(job, "exec", 2, "driver: exec, command: [sh, -c, \"mkdir -p www && echo gantry-exec > www/index.html"
        + " && echo serving on $GANTRY_PORT_HTTP && exec busybox httpd -f -p $GANTRY_PORT_HTTP -h www\"],"
        + " ports: [{name: http, to: 8080}],"
        + " check: {type: exec, command: [sh, -c, \"busybox wget -q -O - http://127.0.0.1:$GANTRY_PORT_HTTP/ | grep -q gantry-exec\"],"
        + " interval: 1s, timeout: 3s}", "");
    await("2 healthy exec replicas", 120, () -> running(job).size() == 2 && running(job).stream().allMatch(a -> healthy(a)));
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    List<Integer> ports = new ArrayList<>();
    for (Allocation a : running(job)) {
      int port = a.getPorts(0).getHost();
      ports.add(port);
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode());
      assertTrue(r.body().contains("gantry-exec"), r.body());
      String logs = ok(gantry("alloc", "logs", a.getId().substring(0, 8), "t"));
      assertTrue(logs.contains("serving on " + port), logs);
    }
    await("memory from /proc in alloc ls", 60, () -> {
      String table = ok(gantry("alloc", "ls", "--job", job));
      return running(job).stream().allMatch(a -> !column(table, a.getId().substring(0, 8), "MEM(MiB)").equals("-"));
    });
    System.out.println("gantry alloc ls --job web-exec\n" + ok(gantry("alloc", "ls", "--job", job)));

    ok(gantry("job", "stop", job));
    await("the processes are gone (ports closed)", 60, () -> ports.stream().noneMatch(AgentFaultsIT::accepts));
  }

  @Test
  void restartedAgentReattachesWithoutDuplicates() throws Exception {
    String job = use("reattach");
    // httpd -v logs each request it answers: the agent's health probes can be counted in the container's log.
    submit(job, "docker", 2, "driver: docker, image: local/busybox:1, command: [httpd, -f, -v, -p, \"8080\", -h, /www],"
        + " ports: [{name: http, to: 8080}], check: {type: http, port: http, path: /, interval: 1s, timeout: 1s}", "");
    await("2 healthy replicas on d1", 120, () -> running(job).size() == 2 && running(job).stream().allMatch(a -> healthy(a)));
    Map<String, List<String>> before = new LinkedHashMap<>();
    for (Allocation a : running(job)) before.put(a.getId(), DockerCli.containers(a.getId(), true));
    before.values().forEach(ids -> assertEquals(1, ids.size(), "one container per allocation: " + ids));

    int opens = count(agents.logText("d1"), "session open with");
    int logBefore = agents.logText("d1").length();
    agents.kill("d1");
    agents.start("d1");
    await("d1 restarted and back in session", 90, () -> count(agents.logText("d1"), "session open with") > opens);
    assertTrue(agents.logText("d1").contains("re-attached 2 allocation(s)"), "agent log: " + agents.log("d1"));
    // No duplicate can show before the restarted agent has had its chance to make one. First it reconciles
    // the managers' assignments with what it re-attached (its first reconcile is logged with its plan)...
    await("d1 reconciled its assignments after the restart", 60,
        () -> agents.logText("d1").substring(logBefore).contains("assignments at index"));
    String reconcile = agents.logText("d1").substring(logBefore).lines()
        .filter(l -> l.contains("assignments at index")).findFirst().orElseThrow();
    assertTrue(reconcile.contains("; start [],"), "the restarted agent started nothing: " + reconcile);
    // ...then each runner polls its container and, finding it running, probes it. A probe is one pass;
    // the second probe counted from now comes from a pass that began after the reconcile.
    Map<String, Integer> probes = new LinkedHashMap<>();
    before.forEach((alloc, ids) -> probes.put(alloc, probes(ids.getFirst())));
    await("two more health probes of each container by the restarted agent", 60, () -> before.entrySet().stream()
        .allMatch(e -> probes(e.getValue().getFirst()) >= probes.get(e.getKey()) + 2));
    await("both replicas running and healthy again", 60, () -> running(job).size() == 2
        && running(job).stream().allMatch(a -> healthy(a)));
    for (var e : before.entrySet()) {
      assertEquals(e.getValue(), DockerCli.containers(e.getKey(), true), "containers of allocation " + e.getKey());
    }
    assertEquals(before.keySet(), new java.util.HashSet<>(allocIds(job)), "no replacement allocations");
    assertTrue(running(job).stream().allMatch(a -> a.getTasksMap().get("t").getRestarts() == 0), "no restarts");
    assertEquals(NodeStatus.NODE_STATUS_READY, node("d1").getStatus());

    ok(gantry("job", "stop", job));
    await("no container of the job left", 90, () -> allocIds(job).stream().allMatch(id -> DockerCli.containers(id, true).isEmpty()));
  }

  @Test
  void partitionedAgentStopsItsAllocationAfterStopAfter() throws Exception {
    String job = use("fenced");
    submit(job, "partition", 1, "driver: docker, image: local/busybox:1, command: [sleep, \"3600\"]",
        "    disconnect: {stop_after: " + STOP_AFTER_S + "s}\n");
    await("the allocation runs on p1", 120, () -> running(job).size() == 1);
    String alloc = running(job).getFirst().getId();
    List<String> container = DockerCli.containers(alloc, false);
    assertEquals(1, container.size());

    // A cut shorter than stop_after (less one heartbeat interval) is survived: same container, still running.
    int opens = count(agents.logText("p1"), "session open with");
    proxy.cut();
    PeerProcesses.sleep(2000);
    proxy.heal();
    await("p1 back in session after a short cut", 60, () -> count(agents.logText("p1"), "session open with") > opens);
    assertEquals(container, DockerCli.containers(alloc, false), "the short cut stopped nothing");
    assertEquals(List.of(alloc), running(job).stream().map(Allocation::getId).toList());

    proxy.cut();
    long t0 = System.nanoTime();
    await("p1 stops the container on its own", 90, () -> DockerCli.containers(alloc, false).isEmpty());
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf("RESULT partition_to_fenced_ms=%d (stop_after %d s, heartbeat every %d s)%n", ms, STOP_AFTER_S, TTL_S / 3);
    // Fencing counts from the last message of a manager, at most one heartbeat interval before the cut.
    assertTrue(ms >= (STOP_AFTER_S - TTL_S / 3 - 1) * 1000L, "stopped " + ms + " ms after the cut, before stop_after");

    proxy.heal();
    await("p1 ready again", 90, () -> ready("p1"));
    await("job status says the allocation was fenced", 90, () -> ok(gantry("job", "status", job)).contains("fenced: no manager for"));
    await("a replacement runs on p1", 120, () -> running(job).size() == 1 && !running(job).getFirst().getId().equals(alloc));
    System.out.println("gantry job status fenced\n" + ok(gantry("job", "status", job)));
    ok(gantry("job", "stop", job));
  }

  // ---- helpers ----

  private String use(String job) {
    jobs.add(job);
    return job;
  }

  private void submit(String job, String role, int count, String task, String groupExtra) throws Exception {
    Path spec = dir.resolve(job + ".yaml");
    Files.writeString(spec, "job: " + job + "\ntype: service\nconstraints: [{attribute: label.role, operator: \"=\", value: "
        + role + "}]\ngroups:\n  - name: g\n    count: " + count + "\n    restart: {attempts: 2, delay: 1s, mode: fail}\n"
        + groupExtra + "    tasks:\n      - {name: t, " + task + ", resources: {cpu: 100, memory: 64}}\n");
    ok(gantry("job", "run", "--detach", spec.toString()));
  }

  private static boolean accepts(int port) {
    try (Socket s = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /** Requests busybox httpd -v answered in a container (the agent's http health probes). */
  private static int probes(String containerId) {
    return count(DockerCli.run(List.of("docker", "logs", containerId)), "response:");
  }

  private static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) n++;
    return n;
  }

  private Gantry.Result gantry(String... args) throws Exception {
    return Gantry.runAt(cluster.addresses(), args);
  }

  private List<Allocation> allocs(String job) {
    return cluster.stub("m1").listAllocations(ListAllocationsRequest.newBuilder().setJob(job).build()).getAllocationsList();
  }

  private List<String> allocIds(String job) {
    try {
      return allocs(job).stream().map(Allocation::getId).toList();
    } catch (RuntimeException e) {
      return List.of();
    }
  }

  private List<Allocation> running(String job) {
    return allocs(job).stream().filter(AgentDockerClusterIT::isRunning).toList();
  }

  private Node node(String name) {
    return cluster.stub("m1").listNodes(ListNodesRequest.getDefaultInstance()).getNodesList().stream()
        .filter(n -> n.getName().equals(name)).findFirst().orElseThrow();
  }

  private boolean ready(String name) {
    return node(name).getStatus() == NodeStatus.NODE_STATUS_READY;
  }
}
