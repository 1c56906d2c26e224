package gantry.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.agent.Agent;
import gantry.agent.AgentConfig;
import gantry.v1.Allocation;
import gantry.v1.ClientStatus;
import gantry.v1.DesiredStatus;
import gantry.v1.GetJobRequest;
import gantry.v1.GroupSpec;
import gantry.v1.JobSpec;
import gantry.v1.ListAllocationsRequest;
import gantry.v1.ListNodesRequest;
import gantry.v1.NodeStatus;
import gantry.v1.RegisterJobRequest;
import gantry.v1.Resources;
import gantry.v1.TaskSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three manager processes and two real agents (exec driver, real processes): a job's
 * replicas are placed, run and reported; when one agent dies its node is marked down and
 * its replicas are replaced on the other; an unplaceable job explains why.
 */
class SchedulingIT {
  @TempDir Path dir;

  static JobSpec sleeper(String name, int count, long memory) {
    return JobSpec.newBuilder().setName(name).setType("service")
        .addGroups(GroupSpec.newBuilder().setName("g").setCount(count).setPlacement("spread")
            .addTasks(TaskSpec.newBuilder().setName("sleep").setDriver("exec").addCommand("sleep").addCommand("300")
                .setResources(Resources.newBuilder().setCpu(100).setMemory(memory))))
        .build();
  }

  @Test
  void placesRunsAndReplacesOnNodeLoss() throws Exception {
    try (PeerProcesses cluster = new PeerProcesses(dir.resolve("cluster"), 3, Map.of("heartbeat_ttl", "2s"))) {
      cluster.startAll();
      String leader = cluster.awaitLeader(Duration.ofSeconds(60));
      List<String> servers = cluster.peers().stream().map(PeerProcesses.Peer::grpc).toList();
      Agent a1 = Agent.start(AgentConfig.of("a1", servers, dir.resolve("a1")).withDriver("exec").withResources(2000, 2048));
      Agent a2 = Agent.start(AgentConfig.of("a2", servers, dir.resolve("a2")).withDriver("exec").withResources(2000, 2048));
      try {
        PeerProcesses.await("two ready nodes", Duration.ofSeconds(60), () -> readyNodes(cluster, leader) == 2);
        cluster.stub(leader).registerJob(RegisterJobRequest.newBuilder().setSpec(sleeper("sleepers", 4, 64)).build());
        PeerProcesses.await("4 running allocations", Duration.ofSeconds(60), () -> running(cluster, leader, "sleepers").size() == 4);
        Set<String> nodes = running(cluster, leader, "sleepers").stream().map(Allocation::getNodeName).collect(Collectors.toSet());
        assertEquals(Set.of("a1", "a2"), nodes, "spread placement uses both nodes");

        // An unplaceable job says why.
        cluster.stub(leader).registerJob(RegisterJobRequest.newBuilder().setSpec(sleeper("huge", 1, 1 << 20)).build());
        PeerProcesses.await("a placement failure for huge", Duration.ofSeconds(30), () -> !cluster.stub(leader)
            .getJob(GetJobRequest.newBuilder().setName("huge").build()).getGroups(0).getUnplacedReason().isEmpty());
        String reason = cluster.stub(leader).getJob(GetJobRequest.newBuilder().setName("huge").build()).getGroups(0).getUnplacedReason();
        assertTrue(reason.contains("exhausted memory"), reason);

        a1.close();
        long t0 = System.nanoTime();
        PeerProcesses.await("4 running allocations on a2", Duration.ofSeconds(60), () -> {
          List<Allocation> r = running(cluster, leader, "sleepers");
          return r.size() == 4 && r.stream().allMatch(a -> a.getNodeName().equals("a2"));
        });
        System.out.printf("node loss to all replicas running again: %d ms%n", (System.nanoTime() - t0) / 1_000_000);
        assertTrue(cluster.stub(leader).listNodes(ListNodesRequest.getDefaultInstance()).getNodesList().stream()
            .anyMatch(n -> n.getName().equals("a1") && n.getStatus() == NodeStatus.NODE_STATUS_DOWN));
      } finally {
        a1.close();
        a2.close();
      }
    }
  }

  static long readyNodes(PeerProcesses cluster, String peer) {
    return cluster.stub(peer).listNodes(ListNodesRequest.getDefaultInstance()).getNodesList().stream()
        .filter(n -> n.getStatus() == NodeStatus.NODE_STATUS_READY).count();
  }

  static List<Allocation> running(PeerProcesses cluster, String peer, String job) {
    return cluster.stub(peer).listAllocations(ListAllocationsRequest.newBuilder().setJob(job).build()).getAllocationsList()
        .stream().filter(a -> a.getDesiredStatus() == DesiredStatus.DESIRED_STATUS_RUN
            && a.getClientStatus() == ClientStatus.CLIENT_STATUS_RUNNING).toList();
  }
}
