package gantry.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.ClientStatus;
import gantry.v1.GroupSpec;
import gantry.v1.JobSpec;
import gantry.v1.ListAllocationsRequest;
import gantry.v1.ListNodesRequest;
import gantry.v1.NodeStatus;
import gantry.v1.RegisterJobRequest;
import gantry.v1.Resources;
import gantry.v1.TaskSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped monitoring files against a real Prometheus (Debian's 2.42) scraping three real
 * manager processes and an agent: {@code scripts/monitoring/prometheus.yml} passes
 * {@code promtool check config}, and every query of every panel of
 * {@code scripts/monitoring/grafana-dashboard.json} returns data — at least one series, at
 * least one of them a number (a latency quantile over no observations is NaN, which a
 * dashboard shows as nothing). The agent runs with {@code --http-addr} and is scraped under the
 * shipped file's {@code gantry-agents} job, so the per-allocation CPU and memory panels get the
 * agent's own series. A missing prometheus fails the test with the reason.
 */
class MonitoringIT {
  /** Series the dashboard must show, each named in some panel's query. */
  private static final List<String> SHOWN = List.of("gantry_raft_leader", "gantry_nodes", "gantry_allocations",
      "gantry_raft_term", "gantry_raft_applied_index", "gantry_raft_commit_index", "gantry_raft_apply_seconds",
      "gantry_scheduling_seconds", "gantry_scheduler_evaluations_total", "gantry_scheduler_placements_total",
      "gantry_plan_rejections_total", "gantry_agent_sessions", "gantry_job_allocations", "gantry_job_desired_allocations",
      "jvm_memory_used_bytes", "gantry_agent_allocation_cpu_percent", "gantry_agent_allocation_memory_mib");
  private static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir Path dir;

  @Test
  void everyDashboardQueryReturnsDataFromARealPrometheusScrapingThreeManagersAndAnAgent() throws Exception {
    Path monitoring = Path.of(System.getProperty("gantry.monitoring", "../scripts/monitoring"));
    Path prometheus = PrometheusServer.executable();
    checkConfig(monitoring.resolve("prometheus.yml"));
    assertTrue(java.nio.file.Files.readString(monitoring.resolve("prometheus.yml")).contains("job_name: gantry-agents"),
        "prometheus.yml scrapes the agents under gantry-agents, the job the dashboard's agent panels select");
    List<GrafanaDashboard.Query> queries = GrafanaDashboard.queries(monitoring.resolve("grafana-dashboard.json"));
    String exprs = String.join("\n", queries.stream().map(GrafanaDashboard.Query::expr).toList());
    for (String series : SHOWN) assertTrue(exprs.contains(series), "no panel shows " + series);

    Path logs = Path.of(System.getProperty("gantry.it.logs", dir.toString())).resolve("MonitoringIT-" + System.currentTimeMillis());
    try (PeerProcesses cluster = new PeerProcesses(dir.resolve("m"), 3, Map.of());
        AgentProcesses agents = new AgentProcesses(dir.resolve("a"), logs)) {
      cluster.startAll();
      String leader = cluster.awaitLeader(WAIT);
      String agentMetrics = "127.0.0.1:" + PeerProcesses.freePort();
      agents.start("a1", cluster.addresses(), "sim", Map.of(), List.of("--http-addr", agentMetrics));
      PeerProcesses.await("a1 ready", WAIT, () -> cluster.stub(leader).listNodes(ListNodesRequest.getDefaultInstance())
          .getNodesList().stream().anyMatch(n -> n.getName().equals("a1") && n.getStatus() == NodeStatus.NODE_STATUS_READY));
      List<String> targets = cluster.peers().stream().map(p -> "127.0.0.1:" + p.httpPort()).toList();
      try (PrometheusServer prom = PrometheusServer.start(dir.resolve("prometheus"), targets, List.of(agentMetrics),
          logs.resolve("prometheus.log"))) {
        // Scraped at least once before anything is scheduled, so rate() sees the counters rise from 0.
        PeerProcesses.await("prometheus scraping the three managers' gantry series", WAIT, () ->
            prom.query("gantry_scheduler_evaluations_total").size() == 3 && prom.query("gantry_raft_leader").size() == 3);
        cluster.stub(leader).registerJob(RegisterJobRequest.newBuilder().setSpec(job("web", 2)).build());
        PeerProcesses.await("web's 2 allocations running", WAIT, () -> cluster.stub(leader)
            .listAllocations(ListAllocationsRequest.newBuilder().setJob("web").build()).getAllocationsList().stream()
            .filter(a -> a.getClientStatus() == ClientStatus.CLIENT_STATUS_RUNNING).count() == 2);

        Map<GrafanaDashboard.Query, String> missing = answerAll(prom, queries);
        assertTrue(missing.isEmpty(), "queries without data after " + WAIT + ":\n" + describe(missing));

        // The per-job panel shows what the cluster holds, not just some number. A series counts
        // from the first scrape after the change (and an allocation's memory from its first metrics
        // sample, after it runs), so each is awaited rather than read once.
        awaitValue(prom, "max by (exported_job, group) (gantry_job_allocations{status=\"running\",exported_job=\"web\"})", 2.0);
        assertEquals(2.0, prom.query("max by (exported_job, group) (gantry_job_desired_allocations{exported_job=\"web\"})")
            .getFirst().value());
        assertEquals(1.0, prom.query("sum(gantry_raft_leader)").getFirst().value());
        // The agent's own series: one per running allocation, labelled with the job, group and node.
        String memory = "gantry_agent_allocation_memory_mib{job=\"gantry-agents\",exported_job=\"web\",node=\"a1\"}";
        PeerProcesses.await("2 series of " + memory, WAIT, () -> prom.query(memory).size() == 2);
        awaitValue(prom, "gantry_agent_allocations{job=\"gantry-agents\",node=\"a1\",status=\"running\"}", 2.0);
        assertEquals(1.0, prom.query("gantry_agent_session_open{job=\"gantry-agents\",node=\"a1\"}").getFirst().value());
      }
    }
  }

  /** Waits until {@code expr} answers one series of {@code value}. */
  private static void awaitValue(PrometheusServer prom, String expr, double value) {
    PeerProcesses.await(expr + " = " + value, WAIT, () -> {
      List<PrometheusServer.Sample> answer = prom.query(expr);
      return answer.size() == 1 && answer.getFirst().value() == value;
    });
  }

  /**
   * Runs every query until it returns data, all within {@link #WAIT}: a rate needs two scrapes
   * after the event, so early answers may be empty. Returns those that never did, with their
   * last answer.
   */
  private static Map<GrafanaDashboard.Query, String> answerAll(PrometheusServer prom, List<GrafanaDashboard.Query> queries) {
    Map<GrafanaDashboard.Query, String> pending = new LinkedHashMap<>();
    queries.forEach(q -> pending.put(q, "not asked"));
    Instant end = Instant.now().plus(WAIT);
    while (!pending.isEmpty() && Instant.now().isBefore(end)) {
      for (GrafanaDashboard.Query q : new ArrayList<>(pending.keySet())) {
        List<PrometheusServer.Sample> answer = prom.query(q.expr());
        if (answer.stream().anyMatch(s -> Double.isFinite(s.value()))) pending.remove(q);
        else pending.put(q, answer.toString());
      }
      if (!pending.isEmpty()) PeerProcesses.sleep(500);
    }
    return pending;
  }

  private static String describe(Map<GrafanaDashboard.Query, String> missing) {
    Set<String> lines = new TreeSet<>();
    missing.forEach((q, last) -> lines.add("  " + q.panel() + " [" + q.refId() + "] " + q.expr() + " -> " + last));
    return String.join("\n", lines);
  }

  /** promtool, from the same package as prometheus, checks the shipped configuration. */
  private static void checkConfig(Path config) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(PrometheusServer.onPath("promtool").toString(), "check", "config", config.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertEquals(0, p.waitFor(), "promtool check config " + config + ":\n" + out);
  }

  private static JobSpec job(String name, int count) {
    return JobSpec.newBuilder().setName(name).setType("service")
        .addGroups(GroupSpec.newBuilder().setName("g").setCount(count)
            .addTasks(TaskSpec.newBuilder().setName("t").setDriver("exec").addCommand("sleep").addCommand("3600")
                .setResources(Resources.newBuilder().setCpu(100).setMemory(32))))
        .build();
  }
}
