package gantry.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.agent.Agent;
import gantry.agent.AgentConfig;
import gantry.v1.Allocation;
import gantry.v1.ClientStatus;
import gantry.v1.DeregisterJobRequest;
import gantry.v1.DesiredStatus;
import gantry.v1.GetJobRequest;
import gantry.v1.GetJobResponse;
import gantry.v1.GroupSpec;
import gantry.v1.JobSpec;
import gantry.v1.ListAllocationsRequest;
import gantry.v1.ListNodesRequest;
import gantry.v1.Node;
import gantry.v1.NodeStatus;
import gantry.v1.RegisterJobRequest;
import gantry.v1.Resources;
import gantry.v1.TaskSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three manager processes with eight scheduler workers, and four small simulated nodes of
 * 300 millicores each. A burst of jobs asking four times the capacity (16 jobs x 3 replicas x
 * 100 millicores) is registered all at once, so workers schedule many evaluations at the same
 * moment on the same view and pick the same nodes: the plan applier must refuse the plans
 * that would together over-commit a node (the leader logs each refusal), and follow-up
 * evaluations place what still fits.
 *
 * <p>Checked with linearizable reads, all along: no node ever holds more live allocations
 * than its capacity; once settled, exactly the 12 allocations the capacity allows are placed
 * (every node full) and each job short of its count says why ("exhausted cpu"). A round in
 * which no refusal happened proves nothing about the applier, so the burst is repeated (jobs
 * stopped, new ones registered) until one did, at most five rounds.
 */
class PlanConflictIT {
  static final int NODES = 4;
  static final int NODE_CPU = 300;
  static final int JOBS = 16;
  static final int REPLICAS = 3;
  static final int ASK_CPU = 100;
  static final int CAPACITY_ALLOCS = NODES * NODE_CPU / ASK_CPU;

  @TempDir Path dir;

  static JobSpec spec(String name) {
    return JobSpec.newBuilder().setName(name).setType("service")
        .addGroups(GroupSpec.newBuilder().setName("g").setCount(REPLICAS)
            .addTasks(TaskSpec.newBuilder().setName("t").setDriver("exec").addCommand("sleep").addCommand("600")
                .setResources(Resources.newBuilder().setCpu(ASK_CPU).setMemory(32))))
        .build();
  }

  @Test
  void concurrentPlansNeverOverCommitANode() throws Exception {
    Map<String, String> settings = Map.of("scheduler_workers", "8", "heartbeat_ttl", "10s");
    try (PeerProcesses cluster = new PeerProcesses(dir.resolve("cluster"), 3, settings)) {
      cluster.startAll();
      String leader = cluster.awaitLeader(Duration.ofSeconds(60));
      List<String> servers = cluster.peers().stream().map(PeerProcesses.Peer::grpc).toList();
      try (Agent agent = Agent.simulate(AgentConfig.of("small", servers, dir.resolve("agent")).withDriver("sim")
          .withResources(NODE_CPU, 1024), NODES)) {
        PeerProcesses.await(NODES + " ready nodes", Duration.ofSeconds(60), () -> readyNodes(cluster, leader) == NODES);
        int refusals = 0;
        for (int round = 1; round <= 5 && refusals == 0; round++) {
          refusals = round(cluster, leader, round);
          System.out.printf("round %d: %d plans refused by the applier%n", round, refusals);
        }
        assertTrue(refusals > 0, "in five bursts the applier never had to refuse a plan: the race did not happen");
      }
    }
  }

  /** One burst: register every job at once, watch for over-commit until settled, check; returns refusals logged. */
  private int round(PeerProcesses cluster, String leader, int round) throws Exception {
    int before = refusalsLogged(cluster);
    List<String> jobs = new ArrayList<>();
    for (int j = 0; j < JOBS; j++) jobs.add("r" + round + "-job-" + j);
    AtomicBoolean placing = new AtomicBoolean(true);
    AtomicReference<String> overCommit = new AtomicReference<>();
    AtomicInteger observations = new AtomicInteger();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      Future<?> watcher = pool.submit(() -> {
        while (placing.get() && overCommit.get() == null) {
          try {
            String bad = overCommitted(cluster, leader);
            if (bad != null) overCommit.set(bad);
            observations.incrementAndGet();
          } catch (RuntimeException e) {
            // a read during an election: the next one will tell
          }
        }
      });
      List<Future<?>> registrations = new ArrayList<>();
      for (String job : jobs) {
        registrations.add(pool.submit(() -> cluster.stub(leader).registerJob(RegisterJobRequest.newBuilder().setSpec(spec(job)).build())));
      }
      for (Future<?> f : registrations) f.get();
      try {
        PeerProcesses.await("the burst to settle", Duration.ofSeconds(120),
            () -> overCommit.get() != null || settled(cluster, leader, jobs));
      } finally {
        placing.set(false);
        watcher.get();
      }
    }
    assertEquals(null, overCommit.get(), "a node was over-committed");
    String last = overCommitted(cluster, leader);
    assertEquals(null, last, "a node is over-committed");
    assertTrue(observations.get() > 0, "the watcher read the cluster at least once");

    int placed = 0;
    for (String job : jobs) {
      GetJobResponse r = cluster.stub(leader).getJob(GetJobRequest.newBuilder().setName(job).build());
      int p = r.getGroups(0).getPlaced();
      placed += p;
      if (p < REPLICAS) {
        String why = r.getGroups(0).getUnplacedReason();
        assertTrue(why.contains("exhausted cpu"), job + " has " + p + " of " + REPLICAS + " placed; reason: " + why);
      }
    }
    assertEquals(CAPACITY_ALLOCS, placed, "every node full, none over: exactly what the capacity allows");
    Map<String, Long> used = cpuUsedByNode(cluster, leader);
    for (Node n : nodes(cluster, leader)) {
      assertEquals(NODE_CPU, used.getOrDefault(n.getId(), 0L), "node " + n.getName() + " is full");
    }
    int refusals = refusalsLogged(cluster) - before;
    // Free the nodes for another round: stopped jobs' allocations stop using capacity.
    for (String job : jobs) cluster.stub(leader).deregisterJob(DeregisterJobRequest.newBuilder().setName(job).build());
    PeerProcesses.await("the nodes to be free again", Duration.ofSeconds(60), () -> cpuUsedByNode(cluster, leader).isEmpty());
    return refusals;
  }

  /** Settled: all placed that fits, and every job either complete or saying why not. */
  private static boolean settled(PeerProcesses cluster, String leader, List<String> jobs) {
    int placed = 0;
    for (String job : jobs) {
      GetJobResponse r = cluster.stub(leader).getJob(GetJobRequest.newBuilder().setName(job).build());
      if (r.getGroupsCount() == 0) return false;
      int p = r.getGroups(0).getPlaced();
      if (p < REPLICAS && r.getGroups(0).getUnplacedReason().isEmpty()) return false;
      placed += p;
    }
    return placed == CAPACITY_ALLOCS;
  }

  /** A description of the first node whose live allocations exceed its capacity, or null. */
  private static String overCommitted(PeerProcesses cluster, String leader) {
    Map<String, Long> cpu = new HashMap<>();
    Map<String, Long> mem = new HashMap<>();
    for (Allocation a : liveAllocations(cluster, leader)) {
      cpu.merge(a.getNodeId(), a.getResources().getCpu(), Long::sum);
      mem.merge(a.getNodeId(), a.getResources().getMemory(), Long::sum);
    }
    for (Node n : nodes(cluster, leader)) {
      long c = cpu.getOrDefault(n.getId(), 0L);
      long m = mem.getOrDefault(n.getId(), 0L);
      if (c > n.getCapacity().getCpu() || m > n.getCapacity().getMemory()) {
        return n.getName() + ": " + c + "/" + n.getCapacity().getCpu() + " millicores, " + m + "/"
            + n.getCapacity().getMemory() + " MiB";
      }
    }
    return null;
  }

  private static Map<String, Long> cpuUsedByNode(PeerProcesses cluster, String leader) {
    Map<String, Long> cpu = new HashMap<>();
    for (Allocation a : liveAllocations(cluster, leader)) cpu.merge(a.getNodeId(), a.getResources().getCpu(), Long::sum);
    return cpu;
  }

  /** Allocations that hold resources: desired to run and not finished (pending or running). */
  private static List<Allocation> liveAllocations(PeerProcesses cluster, String leader) {
    return cluster.stub(leader).listAllocations(ListAllocationsRequest.getDefaultInstance()).getAllocationsList().stream()
        .filter(a -> a.getDesiredStatus() == DesiredStatus.DESIRED_STATUS_RUN)
        .filter(a -> a.getClientStatus() == ClientStatus.CLIENT_STATUS_PENDING
            || a.getClientStatus() == ClientStatus.CLIENT_STATUS_RUNNING
            || a.getClientStatus() == ClientStatus.CLIENT_STATUS_UNSPECIFIED)
        .toList();
  }

  private static List<Node> nodes(PeerProcesses cluster, String leader) {
    return cluster.stub(leader).listNodes(ListNodesRequest.getDefaultInstance()).getNodesList();
  }

  private static long readyNodes(PeerProcesses cluster, String leader) {
    return nodes(cluster, leader).stream().filter(n -> n.getStatus() == NodeStatus.NODE_STATUS_READY).count();
  }

  /** Refusals the leaders logged so far (a line per refused plan), over every peer's log. */
  private static int refusalsLogged(PeerProcesses cluster) throws IOException {
    int n = 0;
    for (PeerProcesses.Peer p : cluster.peers()) {
      n += (int) cluster.log(p.id()).lines().filter(l -> l.contains("placements refused, a follow-up evaluation")).count();
    }
    return n;
  }
}
