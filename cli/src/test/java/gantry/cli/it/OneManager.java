package gantry.cli.it;

import static gantry.cli.it.AgentDockerClusterIT.await;

import gantry.v1.Allocation;
import gantry.v1.ControlServiceGrpc;
import gantry.v1.ListAllocationsRequest;
import gantry.v1.ListNodesRequest;
import gantry.v1.NodeStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * One manager and a few agents of one driver, as separate processes: the cluster of the
 * deployment ITs, with the reads they all make of a job's allocations.
 */
final class OneManager implements AutoCloseable {
  final PeerProcesses cluster;
  final AgentProcesses agents;

  private OneManager(PeerProcesses cluster, AgentProcesses agents) {
    this.cluster = cluster;
    this.agents = agents;
  }

  /** Starts the manager and agents {@code names} with {@code driver}; returns once every agent's node is ready. */
  static OneManager start(Path dir, String test, String driver, String... names) throws Exception {
    Map<String, List<String>> agents = new java.util.LinkedHashMap<>();
    for (String name : names) agents.put(name, List.of());
    return start(dir, test, driver, agents);
  }

  /** As {@link #start(Path, String, String, String...)}, each agent with more flags (name -> flags, in order). */
  static OneManager start(Path dir, String test, String driver, Map<String, List<String>> agentFlags) throws Exception {
    String[] names = agentFlags.keySet().toArray(String[]::new);
    PeerProcesses cluster = new PeerProcesses(dir.resolve("managers"), 1, Map.of());
    cluster.startAll();
    cluster.awaitLeader(Duration.ofSeconds(90));
    AgentProcesses agents = new AgentProcesses(dir.resolve("agents"), Path.of(System.getProperty("gantry.it.logs", dir.toString()))
        .resolve(test + "-agents-" + System.currentTimeMillis()));
    OneManager m = new OneManager(cluster, agents);
    for (String name : names) agents.start(name, cluster.addresses(), driver, Map.of(), agentFlags.get(name));
    await(names.length + " ready node(s)", 120, () -> m.stub().listNodes(ListNodesRequest.getDefaultInstance()).getNodesList()
        .stream().filter(n -> n.getStatus() == NodeStatus.NODE_STATUS_READY).count() == names.length);
    return m;
  }

  ControlServiceGrpc.ControlServiceBlockingStub stub() {
    return cluster.stub("m1");
  }

  String addresses() {
    return cluster.addresses();
  }

  List<Allocation> allocs(String job) {
    return stub().listAllocations(ListAllocationsRequest.newBuilder().setJob(job).build()).getAllocationsList();
  }

  /** Wanted running and running. */
  List<Allocation> running(String job) {
    return allocs(job).stream().filter(AgentDockerClusterIT::isRunning).toList();
  }

  /** Running allocations of {@code version} whose deploy health is healthy. */
  long healthyOf(String job, long version) {
    return running(job).stream()
        .filter(a -> a.getJobVersion() == version && a.getDeployHealth().getStatus().equals("healthy")).count();
  }

  /**
   * Stops every job and waits (at most 60 s) until no allocation runs, so the agents stop their
   * tasks (exec tasks are processes of their own: killing an agent leaves them running), then
   * kills the agents and the manager.
   */
  @Override
  public void close() throws Exception {
    try {
      for (var job : stub().listJobs(gantry.v1.ListJobsRequest.getDefaultInstance()).getJobsList()) {
        stub().deregisterJob(gantry.v1.DeregisterJobRequest.newBuilder().setName(job.getName()).build());
      }
      await("every allocation stopped", 60, () -> stub().listAllocations(ListAllocationsRequest.getDefaultInstance())
          .getAllocationsList().stream().noneMatch(a -> a.getClientStatus() == gantry.v1.ClientStatus.CLIENT_STATUS_RUNNING));
    } catch (RuntimeException e) {
      // the manager is gone already: nothing more can be stopped through it
    } finally {
      try {
        agents.close();
      } finally {
        cluster.close();
      }
    }
  }
}
