package gantry.cli.it;

import static gantry.cli.it.Gantry.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import gantry.v1.Allocation;
import gantry.v1.ClientStatus;
import gantry.v1.DesiredStatus;
import gantry.v1.ListAllocationsRequest;
import gantry.v1.ListAllocationsResponse;
import gantry.v1.ListNodesRequest;
import gantry.v1.Node;
import gantry.v1.NodeStatus;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three manager processes and two agent processes with the docker driver on the real engine,
 * shared by the tests of this class: {@code examples/web.yaml} scaled to 4 runs and answers,
 * a killed container is restarted in place, a SIGKILLed agent's replicas move to the other agent
 * (the time is measured and printed), and failures at start say why in {@code gantry job status}.
 * Each test leaves both agents running and removes its containers by allocation id.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AgentDockerClusterIT {
  @TempDir static Path dir;
  private PeerProcesses cluster;
  private AgentProcesses agents;
  private final List<String> jobs = new ArrayList<>();

  @BeforeAll
  void startCluster() throws Exception {
    cluster = new PeerProcesses(dir.resolve("managers"), 3, Map.of());
    cluster.startAll();
    cluster.awaitLeader(Duration.ofSeconds(90));
    agents = new AgentProcesses(dir.resolve("agents"), Path.of(System.getProperty("gantry.it.logs", dir.toString()))
        .resolve("AgentDockerClusterIT-agents-" + System.currentTimeMillis()));
    for (String name : List.of("a1", "a2")) agents.start(name, cluster.addresses(), "docker", Map.of());
    await("two ready docker nodes", 120, () -> ready("a1") && ready("a2"));
  }

  @AfterAll
  void stopCluster() throws Exception {
    try {
      if (agents != null) agents.close();
      for (String job : jobs) DockerCli.removeAllOf(allocIds(job));
    } finally {
      if (cluster != null) cluster.close();
    }
  }

  @Test
  void exampleJobAnswersRestartsAKilledContainerAndMovesOffAKilledAgent() throws Exception {
    String job = use("web");
    Path spec = dir.resolve("web.yaml");
    Files.writeString(spec, Files.readString(Path.of("..", "examples", "web.yaml")).replace("count: 3", "count: 4"));
    ok(gantry("job", "run", "--detach", spec.toString()));
    await("4 healthy replicas", 180, () -> running(job).size() == 4 && running(job).stream().allMatch(a -> healthy(a)));
    assertEquals(2, running(job).stream().filter(a -> a.getNodeName().equals("a1")).count(), "spread: 2 per agent");
    assertAnswers(running(job));

    // Resource use: kept on the leader, shown by the CLI (any manager given).
    await("CPU and memory of every replica in alloc ls --json", 60, () -> {
      ListAllocationsResponse.Builder b = ListAllocationsResponse.newBuilder();
      JsonFormat.parser().merge(ok(gantry("alloc", "ls", "--job", job, "--json")), b);
      List<Allocation> live = b.getAllocationsList().stream().filter(a -> isRunning(a)).toList();
      return live.size() == 4 && live.stream().allMatch(a -> a.getMetrics().getTimeMs() > 0);
    });
    String table = ok(gantry("alloc", "ls", "--job", job));
    System.out.println("gantry alloc ls --job web\n" + table);
    assertTrue(table.lines().filter(l -> l.contains(" running ")).allMatch(l -> l.contains("healthy")), table);
    await("node totals in node ls", 60, () -> {
      String nodes = ok(gantry("node", "ls"));
      return !column(nodes, "a1", "CPU%").equals("-") && !column(nodes, "a2", "USED(MiB)").equals("-");
    });
    System.out.println("gantry node ls\n" + ok(gantry("node", "ls")));

    // A killed container is restarted in place: same allocation, a new container, one restart.
    Allocation victim = running(job).getFirst();
    String first = single(DockerCli.containers(victim.getId(), false));
    DockerCli.kill(first);
    await("the killed container restarted", 90, () -> {
      Allocation a = alloc(job, victim.getId());
      List<String> now = DockerCli.containers(victim.getId(), false);
      return isRunning(a) && a.getTasksMap().get("httpd").getRestarts() >= 1 && now.size() == 1 && !now.contains(first);
    });

    // SIGKILL of an agent: its replicas run on the other agent.
    List<String> onA1 = running(job).stream().filter(a -> a.getNodeName().equals("a1")).map(Allocation::getId).toList();
    long t0 = System.nanoTime();
    agents.kill("a1");
    await("4 running replicas, all on a2", 120,
        () -> running(job).size() == 4 && running(job).stream().allMatch(a -> a.getNodeName().equals("a2")));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf("RESULT agent_sigkill_to_replicas_running_ms=%d (heartbeat TTL 3 s)%n", ms);
    assertEquals(NodeStatus.NODE_STATUS_DOWN, node("a1").getStatus());
    await("the replacements answer HTTP", 60, () -> running(job).stream().allMatch(a -> healthy(a)));
    assertAnswers(running(job));

    // The dead agent's containers outlived it; started again, it learns they were replaced and removes them.
    agents.start("a1");
    await("a1 removes the replaced containers", 90, () -> onA1.stream().allMatch(id -> DockerCli.containers(id, true).isEmpty()));
    await("a1 ready again", 60, () -> ready("a1"));
    assertEquals(4, running(job).size(), "still 4 replicas, none revived on a1");

    ok(gantry("job", "stop", job));
    await("no container of the job left", 90, () -> allocIds(job).stream().allMatch(id -> DockerCli.containers(id, true).isEmpty()));
  }

  @Test
  void aMissingImageATakenPortAndAnExitAtOnceSayWhyInJobStatus() throws Exception {
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress("0.0.0.0", PeerProcesses.freePort()));
      int port = taken.getLocalPort();
      String restart = "    restart: {attempts: 0, delay: 1s, mode: fail}\n";
      // One at a time, each stopped once explained: a replacement of a failed allocation fails again at once.
      run(use("no-image"), restart, "driver: docker, image: local/nope:1, command: [sleep, \"600\"]");
      System.out.println("gantry job status no-image\n" + awaitStatus("no-image", "image not found: local/nope:1"));
      ok(gantry("job", "stop", "no-image"));
      run(use("port-taken"), restart, "driver: docker, image: local/busybox:1, command: [httpd, -f, -p, \"8080\"], "
          + "ports: [{name: http, to: 8080, static: " + port + "}]");
      System.out.println("gantry job status port-taken\n" + awaitStatus("port-taken", "port " + port + " already in use"));
      ok(gantry("job", "stop", "port-taken"));
      run(use("exits"), restart, "driver: docker, image: local/busybox:1, command: [sh, -c, \"echo boom-$GANTRY_JOB >&2; exit 3\"]");
      System.out.println("gantry job status exits\n" + awaitStatus("exits", "exit code 3"));
      ok(gantry("job", "stop", "exits"));

      // What the task wrote before it died is kept with the failed allocation: alloc logs shows it.
      Allocation failed = allocs("exits").stream().filter(a -> a.getClientStatus() == ClientStatus.CLIENT_STATUS_FAILED)
          .max(java.util.Comparator.comparingLong(Allocation::getCreateIndex)).orElseThrow();
      String logs = ok(gantry("alloc", "logs", failed.getId().substring(0, 8)));
      assertTrue(logs.contains("boom-exits"), logs);
      Gantry.Result none = gantry("alloc", "logs", "ffffffffffff");
      assertEquals(1, none.exit(), none.stderr());
      assertTrue(none.stderr().contains("allocation \"ffffffffffff\" not found"), none.stderr());
    } finally {
      for (String job : List.of("no-image", "port-taken", "exits")) gantry("job", "stop", job);
    }
  }

  // ---- helpers ----

  private String use(String job) {
    jobs.add(job);
    return job;
  }

  private void run(String job, String restart, String task) throws Exception {
    Path spec = dir.resolve(job + ".yaml");
    Files.writeString(spec, "job: " + job + "\ntype: service\ngroups:\n  - name: g\n    count: 1\n" + restart
        + "    tasks:\n      - {name: t, " + task + ", resources: {cpu: 100, memory: 32}}\n");
    ok(gantry("job", "run", "--detach", spec.toString()));
  }

  private String awaitStatus(String job, String reason) {
    String[] last = {""};
    await("job status of " + job + " to say \"" + reason + "\"", 90, () -> {
      last[0] = ok(gantry("job", "status", job));
      return last[0].contains(reason);
    });
    return last[0];
  }

  private void assertAnswers(List<Allocation> allocations) throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
    for (Allocation a : allocations) {
      int port = a.getPorts(0).getHost();
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
          .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(200, r.statusCode(), "replica " + a.getId() + " on port " + port);
      assertTrue(r.body().contains("gantry"), r.body());
    }
  }

  private Gantry.Result gantry(String... args) throws Exception {
    return Gantry.runAt(cluster.addresses(), args);
  }

  /** The value in column {@code header} of the table row that contains {@code rowKey} as a word. */
  static String column(String table, String rowKey, String header) {
    List<String> lines = table.lines().toList();
    List<String> headers = List.of(lines.getFirst().trim().split("\\s+"));
    for (String line : lines.subList(1, lines.size())) {
      List<String> cells = List.of(line.trim().split("\\s+"));
      if (cells.contains(rowKey) && cells.size() == headers.size()) return cells.get(headers.indexOf(header));
    }
    throw new IllegalStateException("no row " + rowKey + " in\n" + table);
  }

  private static String single(List<String> ids) {
    assertEquals(1, ids.size(), "containers: " + ids);
    return ids.getFirst();
  }

  private List<Allocation> allocs(String job) {
    for (PeerProcesses.Peer p : cluster.peers()) {
      try {
        return cluster.stub(p.id()).listAllocations(ListAllocationsRequest.newBuilder().setJob(job).build())
            .getAllocationsList();
      } catch (RuntimeException e) {
        // that peer is busy or electing: ask the next
      }
    }
    throw new IllegalStateException("no manager answered ListAllocations");
  }

  private List<String> allocIds(String job) {
    try {
      return allocs(job).stream().map(Allocation::getId).toList();
    } catch (RuntimeException e) {
      return List.of();
    }
  }

  private Allocation alloc(String job, String id) {
    return allocs(job).stream().filter(a -> a.getId().equals(id)).findFirst().orElseThrow();
  }

  private List<Allocation> running(String job) {
    return allocs(job).stream().filter(AgentDockerClusterIT::isRunning).toList();
  }

  static boolean isRunning(Allocation a) {
    return a.getDesiredStatus() == DesiredStatus.DESIRED_STATUS_RUN && a.getClientStatus() == ClientStatus.CLIENT_STATUS_RUNNING;
  }

  static boolean healthy(Allocation a) {
    return a.getTasksMap().values().stream().allMatch(t -> t.getHealth().equals("healthy"));
  }

  private Node node(String name) {
    for (PeerProcesses.Peer p : cluster.peers()) {
      try {
        return cluster.stub(p.id()).listNodes(ListNodesRequest.getDefaultInstance()).getNodesList().stream()
            .filter(n -> n.getName().equals(name)).findFirst().orElseThrow();
      } catch (RuntimeException e) {
        // next peer
      }
    }
    throw new IllegalStateException("no manager knows node " + name);
  }

  private boolean ready(String name) {
    return node(name).getStatus() == NodeStatus.NODE_STATUS_READY;
  }

  interface Check {
    boolean done() throws Exception;
  }

  static void await(String what, int seconds, Check check) {
    BooleanSupplier s = () -> {
      try {
        return check.done();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    };
    PeerProcesses.await(what, Duration.ofSeconds(seconds), s);
  }
}
