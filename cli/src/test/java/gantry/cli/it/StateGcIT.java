package gantry.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.agent.Agent;
import gantry.agent.AgentConfig;
import gantry.v1.Allocation;
import gantry.v1.ClientStatus;
import gantry.v1.DeregisterJobRequest;
import gantry.v1.DesiredStatus;
import gantry.v1.EvalStatus;
import gantry.v1.Evaluation;
import gantry.v1.GroupSpec;
import gantry.v1.JobSpec;
import gantry.v1.ListAllocationsRequest;
import gantry.v1.ListEvaluationsRequest;
import gantry.v1.ListJobsRequest;
import gantry.v1.ListNodesRequest;
import gantry.v1.Node;
import gantry.v1.NodeStatus;
import gantry.v1.RegisterJobRequest;
import gantry.v1.Resources;
import gantry.v1.ScaleJobRequest;
import gantry.v1.TaskSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GC on three manager processes (Nomad's {@code eval_gc_threshold} and
 * {@code job_gc_threshold}, here 2 s each) and a simulated agent: after a scale-down, the stopped
 * allocation and the job's earlier evaluation disappear from every peer while the running
 * allocation and the latest evaluation stay; a stopped job disappears whole; and a peer restarted
 * afterwards loads a store without any of them. And a forced collection, from the CLI and over
 * HTTP, at the default thresholds, down to a node whose agent went away (and came back).
 */
class StateGcIT {
  static final String JOB = "gc-web";
  static final String STOPPED = "gc-stopped";
  @TempDir Path dir;

  static JobSpec job(int count) {
    return job(JOB, count);
  }

  static JobSpec job(String name, int count) {
    return JobSpec.newBuilder().setName(name).setType("service")
        .addGroups(GroupSpec.newBuilder().setName("g").setCount(count)
            .addTasks(TaskSpec.newBuilder().setName("t").setDriver("exec").addCommand("sleep").addCommand("600")
                .setResources(Resources.newBuilder().setCpu(100).setMemory(32))))
        .build();
  }

  /** The job's evaluations as peer {@code id} holds them (a stale read: this peer's own state). */
  static List<String> evals(PeerProcesses cluster, String id) {
    return cluster.stub(id).listEvaluations(ListEvaluationsRequest.newBuilder().setJob(JOB).setStale(true).build())
        .getEvaluationsList().stream().map(Evaluation::getId).toList();
  }

  static List<Allocation> allocs(PeerProcesses cluster, String id) {
    return cluster.stub(id).listAllocations(ListAllocationsRequest.newBuilder().setJob(JOB).setStale(true).build())
        .getAllocationsList();
  }

  static boolean holdsJob(PeerProcesses cluster, String id, String job) {
    return cluster.stub(id).listJobs(ListJobsRequest.newBuilder().setStale(true).build()).getJobsList().stream()
        .anyMatch(j -> j.getName().equals(job));
  }

  static List<String> allocIds(PeerProcesses cluster, String id) {
    return allocs(cluster, id).stream().map(Allocation::getId).toList();
  }

  @Test
  void finishedEvaluationsAndAllocationsGoFromEveryPeerAndWhatIsCurrentStays() throws Exception {
    try (PeerProcesses cluster = new PeerProcesses(dir.resolve("cluster"), 3, Map.of("eval_gc_threshold", "2s", "job_gc_threshold", "2s",
        "deployment_gc_threshold", "2s"))) {
      cluster.startAll();
      String leader = cluster.awaitLeader(Duration.ofSeconds(60));
      List<String> servers = cluster.peers().stream().map(PeerProcesses.Peer::grpc).toList();
      try (Agent agent = Agent.simulate(AgentConfig.of("gc-node", servers, dir.resolve("agent")).withDriver("sim")
          .withResources(4000, 4096), 1)) {
        cluster.stub(leader).registerJob(RegisterJobRequest.newBuilder().setSpec(job(STOPPED, 1)).build());
        PeerProcesses.await("the job to stop running", Duration.ofSeconds(60), () -> cluster.stub(leader)
            .listAllocations(ListAllocationsRequest.newBuilder().setJob(STOPPED).build()).getAllocationsList().stream()
            .anyMatch(a -> a.getClientStatus() == ClientStatus.CLIENT_STATUS_RUNNING));
        cluster.stub(leader).deregisterJob(DeregisterJobRequest.newBuilder().setName(STOPPED).build());

        long registered = cluster.stub(leader).registerJob(RegisterJobRequest.newBuilder().setSpec(job(2)).build()).getIndex();
        AtomicReference<String> first = new AtomicReference<>();
        PeerProcesses.await("two running allocations and the registration's evaluation complete", Duration.ofSeconds(60), () -> {
          var evals = cluster.stub(leader).listEvaluations(ListEvaluationsRequest.newBuilder().setJob(JOB).build())
              .getEvaluationsList();
          evals.stream().filter(e -> e.getCreateIndex() == registered && e.getStatus() == EvalStatus.EVAL_STATUS_COMPLETE)
              .findFirst().ifPresent(e -> first.set(e.getId()));
          return first.get() != null
              && allocs(cluster, leader).stream().filter(a -> a.getClientStatus() == ClientStatus.CLIENT_STATUS_RUNNING).count() == 2;
        });

        cluster.stub(leader).scaleJob(ScaleJobRequest.newBuilder().setName(JOB).setGroup("g").setCount(1).build());
        AtomicReference<String> stopped = new AtomicReference<>();
        AtomicReference<String> running = new AtomicReference<>();
        PeerProcesses.await("one allocation stopped by its agent, one running", Duration.ofSeconds(60), () -> {
          for (Allocation a : allocs(cluster, leader)) {
            if (a.getDesiredStatus() == DesiredStatus.DESIRED_STATUS_STOP && a.getClientStatus() == ClientStatus.CLIENT_STATUS_COMPLETE) {
              stopped.set(a.getId());
            } else if (a.getClientStatus() == ClientStatus.CLIENT_STATUS_RUNNING) {
              running.set(a.getId());
            }
          }
          return stopped.get() != null && running.get() != null;
        });

        for (PeerProcesses.Peer p : cluster.peers()) {
          PeerProcesses.await("the stopped allocation, the first evaluation and the stopped job collected on " + p.id(),
              Duration.ofSeconds(60), () -> !allocIds(cluster, p.id()).contains(stopped.get())
                  && !evals(cluster, p.id()).contains(first.get()) && !holdsJob(cluster, p.id(), STOPPED));
          assertTrue(holdsJob(cluster, p.id(), JOB), "the running job stays on " + p.id());
          assertTrue(allocIds(cluster, p.id()).contains(running.get()), "the running allocation stays on " + p.id());
          assertFalse(evals(cluster, p.id()).isEmpty(), "the job's latest evaluation stays on " + p.id());
        }
        assertTrue(cluster.log(leader).lines().anyMatch(l -> l.contains("allocations finished more than 2 s ago")),
            "the leader says what it collects");
        assertTrue(cluster.log(leader).lines().anyMatch(l -> l.contains("1 jobs dead more than 2 s")), "and which jobs");

        String follower = cluster.peers().stream().map(PeerProcesses.Peer::id).filter(id -> !id.equals(leader))
            .findFirst().orElseThrow();
        cluster.kill(follower);
        cluster.start(follower);
        String digest = cluster.awaitEqualDigests(Duration.ofSeconds(60));
        List<String> loadedAllocs = allocIds(cluster, follower);
        List<String> loadedEvals = evals(cluster, follower);
        assertTrue(loadedAllocs.contains(running.get()) && !loadedAllocs.contains(stopped.get()),
            "the restarted peer loaded allocations " + loadedAllocs + " (digest " + digest + ")");
        assertFalse(loadedEvals.contains(first.get()) || loadedEvals.isEmpty(),
            "the restarted peer loaded evaluations " + loadedEvals);
        assertFalse(holdsJob(cluster, follower, STOPPED), "the restarted peer loaded no stopped job");
        assertTrue(holdsJob(cluster, follower, JOB));
      }
    }
  }

  /** Waits until the leader holds every allocation of {@code job} stopped and finished on its agent. */
  static void awaitAllStopped(PeerProcesses cluster, String leader, String job) {
    PeerProcesses.await("every allocation of " + job + " stopped by its agent", Duration.ofSeconds(60), () -> cluster.stub(leader)
        .listAllocations(ListAllocationsRequest.newBuilder().setJob(job).build()).getAllocationsList().stream()
        .allMatch(a -> a.getDesiredStatus() == DesiredStatus.DESIRED_STATUS_STOP && a.getClientStatus() == ClientStatus.CLIENT_STATUS_COMPLETE));
  }

  /** Waits until the leader holds no pending or blocked evaluation (a job with one is not dead). */
  static void awaitNoEvaluationToRun(PeerProcesses cluster, String leader) {
    PeerProcesses.await("no evaluation to run", Duration.ofSeconds(60), () -> cluster.stub(leader)
        .listEvaluations(ListEvaluationsRequest.getDefaultInstance()).getEvaluationsList().stream()
        .noneMatch(e -> e.getStatus() == EvalStatus.EVAL_STATUS_PENDING || e.getStatus() == EvalStatus.EVAL_STATUS_BLOCKED));
  }

  /**
   * {@code gantry system gc} and {@code PUT /v1/system/gc} at the default thresholds (an hour and
   * four): what is collectable goes at once, asked of a follower, and what is current stays.
   */
  @Test
  void systemGcCollectsAtOnceWhateverTheThresholds() throws Exception {
    try (PeerProcesses cluster = new PeerProcesses(dir.resolve("cluster"), 3, Map.of())) {
      cluster.startAll();
      String leader = cluster.awaitLeader(Duration.ofSeconds(60));
      PeerProcesses.Peer follower = cluster.peers().stream().filter(p -> !p.id().equals(leader)).findFirst().orElseThrow();
      List<String> servers = cluster.peers().stream().map(PeerProcesses.Peer::grpc).toList();
      try (Agent agent = Agent.simulate(AgentConfig.of("gc-node", servers, dir.resolve("agent")).withDriver("sim")
          .withResources(4000, 4096), 1)) {
        cluster.stub(leader).registerJob(RegisterJobRequest.newBuilder().setSpec(job(STOPPED, 1)).build());
        long registered = cluster.stub(leader).registerJob(RegisterJobRequest.newBuilder().setSpec(job(2)).build()).getIndex();
        PeerProcesses.await("both jobs running", Duration.ofSeconds(60), () -> cluster.stub(leader)
            .listAllocations(ListAllocationsRequest.getDefaultInstance()).getAllocationsList().stream()
            .filter(a -> a.getClientStatus() == ClientStatus.CLIENT_STATUS_RUNNING).count() == 3);
        String first = cluster.stub(leader).listEvaluations(ListEvaluationsRequest.newBuilder().setJob(JOB).build())
            .getEvaluationsList().stream().filter(e -> e.getCreateIndex() == registered).findFirst().orElseThrow().getId();
        cluster.stub(leader).deregisterJob(DeregisterJobRequest.newBuilder().setName(STOPPED).build());
        cluster.stub(leader).scaleJob(ScaleJobRequest.newBuilder().setName(JOB).setGroup("g").setCount(1).build());
        awaitAllStopped(cluster, leader, STOPPED);
        PeerProcesses.await("one allocation of " + JOB + " stopped by its agent", Duration.ofSeconds(60), () -> allocs(cluster, leader)
            .stream().anyMatch(a -> a.getDesiredStatus() == DesiredStatus.DESIRED_STATUS_STOP
                && a.getClientStatus() == ClientStatus.CLIENT_STATUS_COMPLETE));

        awaitNoEvaluationToRun(cluster, leader);

        String out = Gantry.ok(Gantry.runAt(follower.grpc(), "system", "gc"));
        // The stopped job's allocation and gc-web's stopped one; gc-web's finished evaluations but its
        // latest, and every one of the stopped job (its registration and its stop at least), with its
        // versions. No deployment: neither job has an update block.
        Matcher counts = Pattern.compile(
            "Collected (\\d+) evaluations, 2 allocations, 1 job, 0 deployments, (\\d+) job versions? and 0 nodes").matcher(out);
        assertTrue(counts.find() && Integer.parseInt(counts.group(1)) >= 3 && Integer.parseInt(counts.group(2)) >= 1, out);
        List<Allocation> left = cluster.stub(leader).listAllocations(ListAllocationsRequest.getDefaultInstance())
            .getAllocationsList();
        assertTrue(left.size() == 1 && left.getFirst().getClientStatus() == ClientStatus.CLIENT_STATUS_RUNNING,
            "only the running allocation is left: " + left);
        var evals = cluster.stub(leader).listEvaluations(ListEvaluationsRequest.getDefaultInstance()).getEvaluationsList();
        assertTrue(evals.stream().noneMatch(e -> e.getId().equals(first) || e.getJob().equals(STOPPED)), "evaluations " + evals);
        assertFalse(evals.isEmpty(), "gc-web's latest evaluation stays");
        assertFalse(holdsJob(cluster, leader, STOPPED));
        assertTrue(holdsJob(cluster, leader, JOB));

        cluster.stub(leader).deregisterJob(DeregisterJobRequest.newBuilder().setName(JOB).build());
        awaitAllStopped(cluster, leader, JOB);
        awaitNoEvaluationToRun(cluster, leader);
        HttpResponse<String> put = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + follower.httpPort() + "/v1/system/gc")).PUT(HttpRequest.BodyPublishers.noBody())
            .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, put.statusCode(), put.body());
        assertTrue(put.body().replaceAll("\\s", "").contains("\"jobs\":1"), put.body());
        assertFalse(holdsJob(cluster, leader, JOB), "the stopped job went whole");
        for (PeerProcesses.Peer p : cluster.peers()) {
          PeerProcesses.await("nothing left on " + p.id(), Duration.ofSeconds(30), () -> allocIds(cluster, p.id()).isEmpty()
              && !holdsJob(cluster, p.id(), JOB) && !holdsJob(cluster, p.id(), STOPPED));
        }
        assertEquals("Collected 0 evaluations, 0 allocations, 0 jobs, 0 deployments, 0 job versions and 0 nodes",
            Gantry.ok(Gantry.runAt(cluster.addresses(), "system", "gc")).strip(), "nothing left to collect");
      }

      // The agent is gone: its node goes down after the heartbeat TTL, and then, with nothing on
      // it, the GC deletes it. The agent started again registers it again.
      PeerProcesses.await("gc-node down", Duration.ofSeconds(30), () -> nodes(cluster, leader).stream()
          .anyMatch(n -> n.getName().startsWith("gc-node") && n.getStatus() == NodeStatus.NODE_STATUS_DOWN));
      assertEquals("Collected 0 evaluations, 0 allocations, 0 jobs, 0 deployments, 0 job versions and 1 node",
          Gantry.ok(Gantry.runAt(follower.grpc(), "system", "gc")).strip());
      assertTrue(nodes(cluster, leader).isEmpty(), "node ls shows it no more");
      try (Agent again = Agent.simulate(AgentConfig.of("gc-node", servers, dir.resolve("agent")).withDriver("sim")
          .withResources(4000, 4096), 1)) {
        PeerProcesses.await("gc-node registered again", Duration.ofSeconds(30), () -> nodes(cluster, leader).stream()
            .anyMatch(n -> n.getName().startsWith("gc-node") && n.getStatus() == NodeStatus.NODE_STATUS_READY));
      }
    }
  }

  static List<Node> nodes(PeerProcesses cluster, String id) {
    return cluster.stub(id).listNodes(ListNodesRequest.getDefaultInstance()).getNodesList();
  }
}
