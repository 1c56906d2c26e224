package gantry.node.fuzz;

import gantry.node.FreePorts;
import gantry.node.control.ControlHandler;
import gantry.node.http.HttpEndpoint;
import gantry.node.http.LeaderChanges;
import gantry.node.live.AgentLogs;
import gantry.node.live.LiveMetrics;
import gantry.node.live.LiveQueries;
import gantry.node.live.ServiceWatch;
import gantry.node.metrics.ManagerMetrics;
import gantry.node.raft.RaftNode;
import gantry.node.raft.SinglePeer;
import gantry.node.rpc.ControlService;
import gantry.v1.ControlServiceGrpc;
import gantry.v1.DrainNodeRequest;
import gantry.v1.GroupSpec;
import gantry.v1.JobSpec;
import gantry.v1.Node;
import gantry.v1.NodeRegistered;
import gantry.v1.NotLeaderDetail;
import gantry.v1.Record;
import gantry.v1.RegisterJobRequest;
import gantry.v1.Resources;
import gantry.v1.TaskSpec;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * One real single-peer Raft group (Ratis, RocksDB) for a whole fuzz run, with the control API
 * served over grpc's in-process transport and the HTTP API on loopback, as ManagerPeer wires them
 * but without the leader loop: no scheduler or heartbeat monitor writes in the background, so
 * the state changes only by the requests the fuzzer sends, and "a refused write changed nothing"
 * can be checked by comparing the state before and after ({@link Observed}). Started once per test
 * class, in its @BeforeAll (a fuzzer runs thousands of inputs a minute in one class; a Raft group
 * per input would measure its start-up), and seeded with one ready node and one job of two
 * versions, so writes have something to act on.
 */
final class FuzzCluster {
  static final String NODE = "n1";
  static final String NODE_ID = "6f1c2d0e-fuzz-node";
  static final String JOB = "web";
  static final String GROUP = "g";
  private static final long TIMEOUT_S = 10;

  private final Path dir;
  private final RaftNode raft;
  private final ControlHandler control;
  private final ServiceWatch services;
  private final Server grpc;
  private final ManagedChannel channel;
  private final HttpEndpoint http;

  private FuzzCluster(Path dir, RaftNode raft, ControlHandler control, ServiceWatch services, Server grpc,
      ManagedChannel channel, HttpEndpoint http) {
    this.dir = dir;
    this.raft = raft;
    this.control = control;
    this.services = services;
    this.grpc = grpc;
    this.channel = channel;
    this.http = http;
  }

  /** Starts a cluster; the fuzz test class closes it in its @AfterAll. */
  static FuzzCluster start() throws Exception {
    Path dir = Files.createTempDirectory("gantry-fuzz");
    RaftNode raft = SinglePeer.start(dir, FreePorts.next());
    LeaderChanges changes = LeaderChanges.follow(raft.stateMachine());
    Clock clock = Clock.systemUTC();
    ControlHandler control = new ControlHandler(raft, clock);
    Supplier<NotLeaderDetail> leader = NotLeaderDetail::getDefaultInstance; // the one peer leads
    LiveMetrics metrics = new LiveMetrics(clock);
    LiveQueries live = new LiveQueries(raft::isLeader, leader, () -> raft.stateMachine().state(), metrics, new AgentLogs());
    ServiceWatch services = new ServiceWatch(raft::isLeader, leader, () -> raft.stateMachine().state(),
        () -> raft.stateMachine().appliedIndex(), metrics::nodeTotals);
    raft.stateMachine().onApplied(applied -> services.applied());
    // The API as a manager serves it: through the guard (ACLs off, so every input reaches the
    // handlers) and the limits (high enough never to refuse the fuzzer's pace).
    var guard = gantry.node.guard.PeerGuard.of(false, raft, gantry.node.guard.AuditSink.NONE, clock);
    var limiter = new gantry.node.guard.RateLimiter(1_000_000, 1_000_000, System::nanoTime);
    String name = InProcessServerBuilder.generateName();
    Server grpc = InProcessServerBuilder.forName(name)
        .addService(io.grpc.ServerInterceptors.intercept(new ControlService(control, new gantry.node.control.AclControl(raft, clock),
            live, services, raft.stateMachine().events(), null, new gantry.node.backup.SnapshotSaver(raft, clock),
            new gantry.node.backup.SnapshotRestorer(raft)), new gantry.node.guard.GuardInterceptor(guard)))
        .build().start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
    HttpEndpoint http = HttpEndpoint.start("127.0.0.1:0", control, services, live, raft, changes, new ManagerMetrics(), guard,
        limiter, 16 << 20, java.util.Optional.empty());
    FuzzCluster cluster = new FuzzCluster(dir, raft, control, services, grpc, channel, http);
    Node node = Node.newBuilder().setId(NODE_ID).setName(NODE).addDrivers("exec")
        .setCapacity(Resources.newBuilder().setCpu(4000).setMemory(8192)).build();
    raft.proposer().propose(List.of(Record.newBuilder()
        .setNodeRegistered(NodeRegistered.newBuilder().setNode(node).setTimeMs(clock.millis())).build()))
        .get(TIMEOUT_S, TimeUnit.SECONDS);
    control.registerJob(RegisterJobRequest.newBuilder().setSpec(job(1)).build()).get(TIMEOUT_S, TimeUnit.SECONDS);
    cluster.reseed();
    return cluster;
  }

  /** The seeded job: {@code count} replicas of one exec task. */
  static JobSpec job(int count) {
    return JobSpec.newBuilder().setName(JOB).setType("service").addGroups(GroupSpec.newBuilder().setName(GROUP)
        .setCount(count).addTasks(TaskSpec.newBuilder().setName("t").setDriver("exec").addCommand("sleep")
            .addCommand("600").setResources(Resources.newBuilder().setCpu(100).setMemory(64)))).build();
  }

  /**
   * Puts back what an accepted write may have taken (the job, its second version, the node
   * undrained), so later inputs still find them; each is a Raft write only if something changed.
   */
  void reseed() throws Exception {
    control.registerJob(RegisterJobRequest.newBuilder().setSpec(job(2)).build()).get(TIMEOUT_S, TimeUnit.SECONDS);
    control.drainNode(DrainNodeRequest.newBuilder().setNode(NODE).setDrain(false).build())
        .get(TIMEOUT_S, TimeUnit.SECONDS);
  }

  /** The state now, as GetStateDigest and the lists show it (linearizable reads). */
  Observed observe() throws Exception {
    return Observed.of(control);
  }

  /** A stub on the in-process channel; every call has a deadline, so a hang is a finding. */
  ControlServiceGrpc.ControlServiceBlockingStub control() {
    return ControlServiceGrpc.newBlockingStub(channel).withDeadlineAfter(TIMEOUT_S, TimeUnit.SECONDS);
  }

  /** http://127.0.0.1:PORT of the HTTP API. */
  URI http() {
    return URI.create("http://" + http.address());
  }

  /**
   * Stops everything and deletes the data directory. A test class closes its cluster when it is
   * done: Ratis keeps per-JVM registries by peer and group, and the raft tests that run later in
   * the same JVM start their own peer m1 of the same group.
   */
  void close() {
    channel.shutdownNow();
    grpc.shutdownNow();
    http.close();
    services.close();
    try {
      raft.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // a temporary directory left behind is no failure of the run
      }
    }
  }
}
