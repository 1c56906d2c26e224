package gantry.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import gantry.v1.GetLiveMetricsRequest;
import gantry.v1.DeploymentStatus;
import gantry.v1.ListDeploymentsRequest;
import gantry.v1.ListAllocationsRequest;
import gantry.v1.ListAllocationsResponse;
import gantry.v1.ListDeploymentsResponse;
import gantry.v1.ListJobsResponse;
import gantry.v1.ListNodesRequest;
import gantry.v1.NodeStatus;
import gantry.v1.RegisterJobRequest;
import gantry.v1.UpdatePolicy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backups with real processes and the real CLI: cluster A (one manager, one sim agent) runs a
 * job; {@code gantry operator snapshot save} writes its state; a fresh three-manager cluster B
 * refuses a truncated copy (exit 1, unchanged), restores the file, and then shows the same jobs,
 * allocations and deployments as A ({@code job ls}, {@code alloc ls}, {@code deployment ls}
 * with {@code --json}); a second restore over jobs is refused without {@code --force}; the
 * agent, moved to B, is ready there and the job runs.
 */
class SnapshotRestoreIT {
  @TempDir Path dir;

  private static <T extends Message.Builder> T parse(String json, T into) throws Exception {
    JsonFormat.parser().ignoringUnknownFields().merge(json, into);
    return into;
  }

  /** Jobs, allocations (without their latest usage sample, which the agent refreshes) and deployments. */
  private static List<?> view(String addresses) throws Exception {
    var jobs = parse(Gantry.ok(Gantry.runAt(addresses, "job", "ls", "--json")), ListJobsResponse.newBuilder()).getJobsList();
    var allocs = parse(Gantry.ok(Gantry.runAt(addresses, "alloc", "ls", "--json")), ListAllocationsResponse.newBuilder())
        .getAllocationsList().stream().map(x -> x.toBuilder().clearMetrics().build()).toList();
    var deployments = parse(Gantry.ok(Gantry.runAt(addresses, "deployment", "ls", "--json")),
        ListDeploymentsResponse.newBuilder()).getDeploymentsList();
    return List.of(jobs, allocs, deployments);
  }

  @Test
  void saveOnOneClusterRestoreIntoAFreshOne() throws Exception {
    Path file = dir.resolve("backup.snap");
    List<?> before;
    try (AgentProcesses agents = new AgentProcesses(dir.resolve("agents"), dir.resolve("logs"))) {
      try (PeerProcesses a = new PeerProcesses(dir.resolve("a"), 1, Map.of())) {
        a.startAll();
        a.awaitLeader(Duration.ofSeconds(90));
        agents.start("a1", a.addresses(), "sim", Map.of());
        PeerProcesses.await("a1 ready on A", Duration.ofSeconds(60), () -> a.stub("m1")
            .listNodes(ListNodesRequest.getDefaultInstance()).getNodesList().stream()
            .anyMatch(n -> n.getName().equals("a1") && n.getStatus() == NodeStatus.NODE_STATUS_READY));
        var spec = SnapshotLeaderIT.job("web", 2).toBuilder();
        spec.getGroupsBuilder(0).setUpdate(UpdatePolicy.newBuilder().setMaxParallel(1).setMinHealthyTimeMs(1000)
            .setHealthyDeadlineMs(60_000).setProgressDeadlineMs(120_000).setOrder("start_first").setHealthCheck("checks"));
        a.stub("m1").registerJob(RegisterJobRequest.newBuilder().setSpec(spec).build());
        PeerProcesses.await("web running on A", Duration.ofSeconds(60), () -> a.stub("m1")
            .listAllocations(ListAllocationsRequest.newBuilder().setJob("web").build()).getAllocationsList().stream()
            .filter(AgentDockerClusterIT::isRunning).count() == 2);
        PeerProcesses.await("web's deployment successful on A", Duration.ofSeconds(120), () -> a.stub("m1")
            .listDeployments(ListDeploymentsRequest.getDefaultInstance()).getDeploymentsList().stream()
            .anyMatch(d -> d.getStatus() == DeploymentStatus.DEPLOYMENT_STATUS_SUCCESSFUL));
        before = view(a.addresses());
        String saved = Gantry.ok(Gantry.runAt(a.addresses(), "operator", "snapshot", "save", file.toString()));
        assertTrue(saved.startsWith("saved " + file + ": index "), saved);
        assertTrue(saved.contains(" 1 jobs, 2 allocations, 1 nodes, 1 deployments"), saved);
        assertFalse(Files.exists(dir.resolve("backup.snap.tmp")));
        assertEquals(before, view(a.addresses()), "A did not change while it was saved");
        assertEquals(2, ((List<?>) before.get(1)).size());
      }
      // A is gone; its agent (sim tasks: nothing outlives it) moves to B below.
      agents.kill("a1");

      // B's heartbeat TTL is long so that the restored node is not marked down before it is compared.
      try (PeerProcesses b = new PeerProcesses(dir.resolve("b"), 3, Map.of("heartbeat_ttl", "60s"))) {
        b.startAll();
        b.awaitLeader(Duration.ofSeconds(90));
        List<?> empty = view(b.addresses());

        Path cut = dir.resolve("cut.snap");
        byte[] bytes = Files.readAllBytes(file);
        Files.write(cut, Arrays.copyOf(bytes, bytes.length - 100));
        var refused = Gantry.runAt(b.addresses(), "operator", "snapshot", "restore", cut.toString());
        assertEquals(1, refused.exit(), refused.stderr());
        assertTrue(refused.stderr().contains("refused: truncated"), refused.stderr());
        assertTrue(refused.stderr().contains("nothing was sent"), refused.stderr());
        assertEquals(empty, view(b.addresses()), "a refused file changes nothing");

        String restored = Gantry.ok(Gantry.runAt(b.addresses(), "operator", "snapshot", "restore", file.toString()));
        assertTrue(restored.startsWith("restored " + file), restored);
        assertEquals(before, view(b.addresses()), "B shows A's jobs, allocations and deployments");
        for (var peer : b.peers()) {
          PeerProcesses.await(peer.id() + " has the restored allocations", Duration.ofSeconds(30), () -> b.stub(peer.id())
              .listAllocations(ListAllocationsRequest.newBuilder().setStale(true).build()).getAllocationsCount() == 2);
        }

        var again = Gantry.runAt(b.addresses(), "operator", "snapshot", "restore", file.toString());
        assertEquals(1, again.exit(), again.stderr());
        assertTrue(again.stderr().contains("already has 1 job(s)") && again.stderr().contains("--force"), again.stderr());

        // The agent comes back, to B: B's leader hears from it (live metrics are the leader's memory
        // only, never restored) about the job's running allocations, resumed or replaced.
        agents.start("a1", b.addresses(), "sim", Map.of());
        PeerProcesses.await("web's allocations running and reported on B", Duration.ofSeconds(90), () -> {
          var leader = b.stub(b.awaitLeader(Duration.ofSeconds(10)));
          var live = leader.getLiveMetrics(GetLiveMetricsRequest.getDefaultInstance()).getAllocationsMap();
          var running = leader.listAllocations(ListAllocationsRequest.newBuilder().setJob("web").build()).getAllocationsList()
              .stream().filter(AgentDockerClusterIT::isRunning).toList();
          return running.size() == 2 && running.stream().allMatch(x -> live.containsKey(x.getId()));
        });
      }
    }
  }
}
