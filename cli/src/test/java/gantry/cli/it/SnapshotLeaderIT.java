package gantry.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.Allocation;
import gantry.v1.ClientStatus;
import gantry.v1.DesiredStatus;
import gantry.v1.GroupSpec;
import gantry.v1.JobSpec;
import gantry.v1.ListAllocationsRequest;
import gantry.v1.ListJobsRequest;
import gantry.v1.ListNodesRequest;
import gantry.v1.Node;
import gantry.v1.NodeStatus;
import gantry.v1.RegisterJobRequest;
import gantry.v1.Resources;
import gantry.v1.TaskSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peer that caught up by a snapshot install and then leads must lead from the installed
 * state, not the copy it had before: it was down while a job was placed and a node joined,
 * the others snapshotted and compacted past it, it caught up by install, and the leadership
 * was moved onto it with {@code gantry operator raft transfer-leader}. Every allocation
 * placed meanwhile keeps running, a new job is placed and runs, and the node that joined
 * meanwhile is marked down when it dies.
 */
class SnapshotLeaderIT {
  @TempDir Path dir;

  static JobSpec job(String name, int count) {
    GroupSpec.Builder g = GroupSpec.newBuilder().setName("g").setCount(count);
    if (count > 0) {
      g.addTasks(TaskSpec.newBuilder().setName("t").setDriver("exec").addCommand("sleep").addCommand("3600")
          .setResources(Resources.newBuilder().setCpu(100).setMemory(32)));
    } else {
      g.addTasks(TaskSpec.newBuilder().setName("t").setDriver("exec").addCommand("true")
          .setResources(Resources.newBuilder().setCpu(10).setMemory(8)));
    }
    return JobSpec.newBuilder().setName(name).setType("service").addGroups(g).build();
  }

  @Test
  void aPeerThatInstalledASnapshotLeadsFromTheInstalledState() throws Exception {
    try (PeerProcesses cluster = new PeerProcesses(dir.resolve("m"), 3,
            Map.of("snapshot_every_entries", "40", "raft_segment_bytes", "16384"));
        AgentProcesses agents = new AgentProcesses(dir.resolve("a"), dir.resolve("logs"))) {
      cluster.startAll();
      String leader = cluster.awaitLeader(Duration.ofSeconds(60));
      String late = leader.equals("m3") ? "m2" : "m3";
      agents.start("a1", cluster.addresses(), "sim", Map.of());
      PeerProcesses.await("a1 ready", Duration.ofSeconds(60), () -> status(cluster, leader, "a1") == NodeStatus.NODE_STATUS_READY);

      cluster.kill(late);
      cluster.stub(leader).registerJob(RegisterJobRequest.newBuilder().setSpec(job("meanwhile", 2)).build());
      PeerProcesses.await("meanwhile running", Duration.ofSeconds(60), () -> running(cluster, leader, "meanwhile").size() == 2);
      List<String> placedMeanwhile = running(cluster, leader, "meanwhile");
      agents.start("a2", cluster.addresses(), "sim", Map.of());
      PeerProcesses.await("a2 ready", Duration.ofSeconds(60), () -> status(cluster, leader, "a2") == NodeStatus.NODE_STATUS_READY);
      for (int i = 0; i < 200; i++) {
        cluster.stub(leader).registerJob(RegisterJobRequest.newBuilder().setSpec(job("filler-" + i, 0)).build());
      }

      cluster.start(late);
      PeerProcesses.await(late + " caught up by a snapshot install", Duration.ofSeconds(90),
          () -> log(cluster, late).contains("loading the snapshot installed from the leader")
              && cluster.stub(late).listJobs(ListJobsRequest.newBuilder().setStale(true).build()).getJobsCount() >= 201);

      Gantry.ok(Gantry.runAt(cluster.addresses(), "operator", "raft", "transfer-leader", late));
      assertEquals(late, cluster.awaitLeader(Duration.ofSeconds(30)));

      cluster.stub(late).registerJob(RegisterJobRequest.newBuilder().setSpec(job("after", 1)).build());
      PeerProcesses.await("a job registered with the new leader runs", Duration.ofSeconds(60),
          () -> running(cluster, late, "after").size() == 1);
      assertEquals(placedMeanwhile, running(cluster, late, "meanwhile"),
          "the allocations placed while " + late + " was down still run, none stopped or replaced");

      agents.kill("a2");
      PeerProcesses.await("a2, which joined while " + late + " was down, marked down by it", Duration.ofSeconds(60),
          () -> status(cluster, late, "a2") == NodeStatus.NODE_STATUS_DOWN);
    }
  }

  private static String log(PeerProcesses cluster, String id) {
    try {
      return cluster.log(id);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static NodeStatus status(PeerProcesses cluster, String peer, String name) {
    for (Node n : cluster.stub(peer).listNodes(ListNodesRequest.getDefaultInstance()).getNodesList()) {
      if (n.getName().equals(name)) return n.getStatus();
    }
    return NodeStatus.NODE_STATUS_UNSPECIFIED;
  }

  /** Ids of the job's allocations that run and are wanted running, sorted. */
  private static List<String> running(PeerProcesses cluster, String peer, String job) {
    return cluster.stub(peer).listAllocations(ListAllocationsRequest.newBuilder().setJob(job).build()).getAllocationsList()
        .stream()
        .filter(a -> a.getDesiredStatus() == DesiredStatus.DESIRED_STATUS_RUN && a.getClientStatus() == ClientStatus.CLIENT_STATUS_RUNNING)
        .map(Allocation::getId).sorted().toList();
  }
}
