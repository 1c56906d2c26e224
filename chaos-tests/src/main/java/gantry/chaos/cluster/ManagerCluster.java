package gantry.chaos.cluster;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Network.Ipam;
import com.github.dockerjava.api.model.RestartPolicy;
import gantry.chaos.checker.DigestChecker;
import gantry.chaos.history.JobState;
import gantry.v1.ControlServiceGrpc;
import gantry.v1.GetJobRequest;
import gantry.v1.GetLeaderRequest;
import gantry.v1.GetStateDigestRequest;
import gantry.v1.GetStateDigestResponse;
import gantry.v1.Job;
import gantry.v1.JobStatus;
import gantry.v1.ListAllocationsRequest;
import gantry.v1.TransferLeadershipRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.lifecycle.Startables;
import org.testcontainers.utility.DockerImageName;

/**
 * N manager containers (aliases m1..mN) on a private Docker network with a /24 subnet of
 * its own and fixed addresses, so a restarted or reconnected manager keeps its address and
 * the peer list can name addresses. The test talks to each container's address directly.
 * Data lives in the container's own file system: kill and start keep it. {@link #close()}
 * removes exactly the containers, network and firewall rules this object created.
 */
public final class ManagerCluster implements AutoCloseable {
  public static final int RAFT_PORT = 4648;
  public static final int GRPC_PORT = 4647;
  public static final int HTTP_PORT = 4646;

  /** One manager: its id (also its network alias) and fixed address. */
  public record Manager(String id, String ip, GenericContainer<?> container) {}

  /**
   * How the managers run: they take a snapshot every {@code snapshotEvery} entries and cut
   * their log into segments of {@code segmentBytes} (small values make snapshots, log purges
   * and snapshot installs happen within seconds), and with {@code lossy} their data
   * directory sits on lossyfs, which keeps unsynced writes in memory until a power loss
   * drops them ({@link LossyDisk}).
   */
  public record Settings(int snapshotEvery, long segmentBytes, boolean lossy) {
    public String yaml() {
      return "snapshot_every_entries: " + snapshotEvery + "\nraft_segment_bytes: " + segmentBytes + "\n";
    }
  }

  /** Where the settings file goes in each manager container. */
  static final String CONFIG = "/etc/gantry-chaos.yaml";

  /** Docker gives up on a manager that exits on its own more often than this. */
  static final int MAX_SELF_RESTARTS = 10;

  private final DockerClient docker;
  private final Network network;
  private final Map<String, Manager> managers = new LinkedHashMap<>();
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final Set<String> paused = ConcurrentHashMap.newKeySet();
  private final Firewall firewall;
  private final String prefix;
  private final Settings settings;
  /** Null for plaintext. */
  private final ClusterPki pki;

  private ManagerCluster(DockerClient docker, Network network, Firewall firewall, String prefix, Settings settings, ClusterPki pki) {
    this.pki = pki;
    this.docker = docker;
    this.network = network;
    this.firewall = firewall;
    this.prefix = prefix;
    this.settings = settings;
  }

  /**
   * Creates the network and starts {@code n} managers; returns once each logged its start. With
   * {@code pki} (null for plaintext) every manager gets a server certificate naming its address
   * and serves mutual TLS on all its ports, and this object's own calls present the suite's
   * client certificate.
   */
  public static ManagerCluster start(String image, int n, String runId, Settings settings, ClusterPki pki)
      throws java.io.IOException, InterruptedException {
    DockerClient docker = DockerClientFactory.instance().client();
    String prefix = freeSubnetPrefix(docker);
    Network network = Network.builder()
        .createNetworkCmdModifier(cmd -> cmd.withName("gantry-chaos-" + runId)
            .withIpam(new Ipam().withConfig(new Ipam.Config().withSubnet(prefix + ".0/24").withGateway(prefix + ".1"))))
        .build();
    ManagerCluster cluster = new ManagerCluster(docker, network, new Firewall(runId), prefix, settings, pki);
    try {
      List<String> peerList = new ArrayList<>();
      for (int i = 1; i <= n; i++) peerList.add("m" + i + "=" + prefix + "." + (10 + i) + ":" + RAFT_PORT);
      for (int i = 1; i <= n; i++) {
        String id = "m" + i;
        String ip = prefix + "." + (10 + i);
        GenericContainer<?> c = new GenericContainer<>(DockerImageName.parse(image))
            .withImagePullPolicy(new NeverPull())
            .withNetwork(network)
            .withNetworkAliases(id)
            .withCreateContainerCmdModifier(cmd -> {
              cmd.withIpv4Address(ip).withName("gantry-chaos-" + runId + "-" + id);
              // As systemd's Restart=on-failure does on bare metal: a manager that exits on its
              // own (exit 3: Ratis closed its Raft server) is started again. Docker does not
              // restart a container after `docker kill`, so the nemesis' kills stay kills.
              cmd.getHostConfig().withRestartPolicy(RestartPolicy.onFailureRestart(MAX_SELF_RESTARTS));
              if (settings.lossy()) LossyDisk.mountUnder(cmd, docker, image);
            })
            .withCopyToContainer(Transferable.of(settings.yaml()), CONFIG)
            .withEnv("JAVA_TOOL_OPTIONS", "-Xmx256m -XX:MaxDirectMemorySize=128m")
            .waitingFor(Wait.forLogMessage(".*gantry server .* started.*", 1).withStartupTimeout(Duration.ofMinutes(3)));
        List<String> command = new ArrayList<>(List.of("server", "--id", id, "--data-dir", "/data/" + id, "--config", CONFIG,
            "--raft-addr", ip + ":" + RAFT_PORT, "--grpc-addr", "0.0.0.0:" + GRPC_PORT,
            "--http-addr", "0.0.0.0:" + HTTP_PORT, "--peers", String.join(",", peerList)));
        if (pki != null) {
          pki.issue("server", id, ip);
          command.addAll(pki.mount(c, id));
        }
        c.withCommand(command.toArray(String[]::new));
        cluster.managers.put(id, new Manager(id, ip, c));
      }
      Startables.deepStart(cluster.managers.values().stream().map(Manager::container).toList()).join();
      return cluster;
    } catch (RuntimeException | java.io.IOException | InterruptedException e) {
      cluster.close();
      throw e;
    }
  }

  /** The run's certificates, or null when it runs in plaintext. */
  public ClusterPki pki() {
    return pki;
  }

  /** A 10.x.y prefix no existing Docker network uses. */
  private static String freeSubnetPrefix(DockerClient docker) {
    Set<String> used = new HashSet<>();
    for (var net : docker.listNetworksCmd().exec()) {
      if (net.getIpam() == null || net.getIpam().getConfig() == null) continue;
      for (var cfg : net.getIpam().getConfig()) if (cfg.getSubnet() != null) used.add(cfg.getSubnet());
    }
    Random rnd = new Random();
    for (int tries = 0; tries < 100; tries++) {
      String prefix = "10.213." + (1 + rnd.nextInt(250));
      boolean clash = used.stream().anyMatch(s -> s.startsWith(prefix + ".") || s.startsWith("10.0.0.0/8") || s.startsWith("10.213.0.0/16"));
      if (!clash) return prefix;
    }
    throw new IllegalStateException("no free 10.213.x.0/24 subnet among " + used);
  }

  public List<String> ids() {
    return List.copyOf(managers.keySet());
  }

  public String ip(String id) {
    return managers.get(id).ip();
  }

  public Firewall firewall() {
    return firewall;
  }

  public Settings settings() {
    return settings;
  }

  /** Manager {@code id} as one side of a network cut; probes aim at its Raft port. */
  public Endpoint endpoint(String id) {
    Manager m = managers.get(id);
    return new Endpoint(id, m.ip(), RAFT_PORT, m.container());
  }

  /** Everything manager {@code id} logged, across its restarts. */
  public String logs(String id) {
    return managers.get(id).container().getLogs();
  }

  /** The Raft index manager {@code id} has applied, after a read index (so at least every acknowledged write's). */
  public long appliedIndex(String id) {
    return stub(id, Duration.ofSeconds(5)).getStateDigest(GetStateDigestRequest.getDefaultInstance()).getAppliedIndex();
  }

  /** The ids of every allocation manager {@code id} holds, of every job. */
  public Set<String> allocationIds(String id) {
    Set<String> out = new HashSet<>();
    for (var a : stub(id, Duration.ofSeconds(5)).listAllocations(ListAllocationsRequest.getDefaultInstance()).getAllocationsList()) {
      out.add(a.getId());
    }
    return out;
  }

  /** Asks manager {@code via} to move the leadership to {@code target}; the leader it reports. */
  public String transferLeadership(String via, String target, Duration timeout) {
    return stub(via, timeout.plusSeconds(5)).transferLeadership(TransferLeadershipRequest.newBuilder()
        .setPeerId(target).setTimeoutMs(timeout.toMillis()).build()).getLeaderId();
  }

  /** The run's private network: agents join it too. */
  public Network network() {
    return network;
  }

  /** The network's first three octets: a container's fixed address is PREFIX.N. */
  public String subnetPrefix() {
    return prefix;
  }

  /** Every manager's client address (ip:port), for an agent's --servers. */
  public List<String> grpcTargets() {
    return managers.values().stream().map(m -> m.ip() + ":" + GRPC_PORT).toList();
  }

  public ControlServiceGrpc.ControlServiceBlockingStub stub(String id, Duration deadline) {
    ManagedChannel ch = channels.computeIfAbsent(id, k -> {
      var builder = NettyChannelBuilder.forAddress(ip(k), GRPC_PORT);
      return (pki == null ? builder.usePlaintext() : builder.sslContext(pki.clientContext())).build();
    });
    return ControlServiceGrpc.newBlockingStub(ch).withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** After a heal: channels in reconnect backoff try again now instead of in up to two minutes. */
  public void resetBackoff() {
    channels.values().forEach(ManagedChannel::resetConnectBackoff);
  }

  /**
   * A process crash: SIGKILL, no shutdown hook runs. What the process had written survives,
   * as it would in the kernel's page cache: on lossyfs the process is frozen and lossyfs
   * writes out what it held before the container dies.
   *
   * @return empty, or why lossyfs could not write out what it held first
   */
  public String kill(String id) {
    String cid = managers.get(id).container().getContainerId();
    String problem = settings.lossy() ? LossyDisk.flushFrozen(docker, managers.get(id).container()) : "";
    docker.killContainerCmd(cid).withSignal("KILL").exec();
    return problem.isEmpty() ? "" : id + ": " + problem + ", so its SIGKILL was a power loss";
  }

  /** A power loss: SIGKILL of the whole container, and lossyfs dies with every write that was not fsynced. */
  public void powerLoss(String id) {
    if (!settings.lossy()) throw new IllegalStateException("power loss needs the managers on lossyfs (Settings.lossy)");
    docker.killContainerCmd(managers.get(id).container().getContainerId()).withSignal("KILL").exec();
  }

  /** Starts a killed manager again on the same file system and address. */
  public void restart(String id) {
    Containers.startAgain(docker, managers.get(id).container().getContainerId(), id);
  }

  public void pause(String id) {
    docker.pauseContainerCmd(managers.get(id).container().getContainerId()).exec();
    paused.add(id);
  }

  public void unpause(String id) {
    if (paused.remove(id)) docker.unpauseContainerCmd(managers.get(id).container().getContainerId()).exec();
  }

  /** The leader as some reachable manager reports it. */
  public Optional<String> leader() {
    for (String id : ids()) {
      if (paused.contains(id)) continue;
      try {
        String leader = stub(id, Duration.ofSeconds(2)).getLeader(GetLeaderRequest.getDefaultInstance()).getLeader().getId();
        if (managers.containsKey(leader)) return Optional.of(leader);
      } catch (StatusRuntimeException e) {
        // unreachable or no leader yet: ask the next one
      }
    }
    return Optional.empty();
  }

  /** Waits until every manager names the same leader. */
  public String awaitLeader(Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < end) {
      Set<String> seen = new HashSet<>();
      try {
        for (String id : ids()) {
          seen.add(stub(id, Duration.ofSeconds(2)).getLeader(GetLeaderRequest.getDefaultInstance()).getLeader().getId());
        }
        String leader = seen.iterator().next();
        if (seen.size() == 1 && managers.containsKey(leader)) return leader;
      } catch (StatusRuntimeException e) {
        resetBackoff();
      }
      sleep(250);
    }
    throw new IllegalStateException("no leader known to every manager within " + timeout);
  }

  /** Polls GetStateDigest (linearizable) on every manager until all agree or time runs out; the last answers. */
  public Map<String, DigestChecker.Answer> awaitDigests(Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    Map<String, DigestChecker.Answer> answers = new LinkedHashMap<>();
    while (true) {
      answers.clear();
      for (String id : ids()) {
        try {
          GetStateDigestResponse r = stub(id, Duration.ofSeconds(5)).getStateDigest(GetStateDigestRequest.getDefaultInstance());
          answers.put(id, DigestChecker.Answer.of(r.getDigest(), r.getAppliedIndex()));
        } catch (StatusRuntimeException e) {
          answers.put(id, DigestChecker.Answer.failed(e.getStatus().getCode() + " " + e.getStatus().getDescription()));
        }
      }
      boolean agree = answers.values().stream().allMatch(a -> a.error().isEmpty())
          && answers.values().stream().map(DigestChecker.Answer::digest).distinct().count() == 1;
      if (agree || System.nanoTime() > end) return Map.copyOf(answers);
      resetBackoff();
      sleep(500);
    }
  }

  /** A linearizable GetJob on manager {@code id}, retried while the manager is not ready. */
  public JobState readJob(String id, String name, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    while (true) {
      try {
        Job job = stub(id, Duration.ofSeconds(5)).getJob(GetJobRequest.newBuilder().setName(name).build()).getJob();
        return JobStates.of(job);
      } catch (StatusRuntimeException e) {
        if (e.getStatus().getCode() == Status.Code.NOT_FOUND) return JobState.ABSENT;
        if (System.nanoTime() > end) throw e;
        resetBackoff();
        sleep(300);
      }
    }
  }

  /** Writes each manager's container log to {@code dir}/ID.log. */
  /**
   * How many times each manager stopped on its own (exit 3: Ratis closed its Raft server), from
   * the line `gantry server` prints then; Docker started it again each time. (Docker's own
   * RestartCount is reset by the nemesis' `docker start` after a kill, so it undercounts.)
   */
  public Map<String, Long> selfStops() {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (String id : managers.keySet()) {
      String log = logs(id);
      String line = "gantry server " + id + " stopped: ";
      long n = 0;
      for (int i = log.indexOf(line); i >= 0; i = log.indexOf(line, i + 1)) n++;
      counts.put(id, n);
    }
    return counts;
  }

  public void saveLogs(Path dir) {
    for (Manager m : managers.values()) Containers.saveLog(dir, m.id(), m.container());
  }

  @Override
  public void close() {
    firewall.healAll(); // best effort: the nemesis already reported a heal that failed
    channels.values().forEach(ManagedChannel::shutdownNow);
    for (Manager m : managers.values()) {
      try {
        unpause(m.id());
      } catch (RuntimeException e) {
        // removal below forces it anyway
      }
      try {
        m.container().stop();
      } catch (RuntimeException e) {
        // keep removing the others
      }
    }
    try {
      network.close();
    } catch (RuntimeException e) {
      // already gone, or a container still holds it; nothing else to do
    }
  }

  /** Sleeps; an interrupt becomes an unchecked failure of the run. */
  public static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Maps a stored Job onto what the checkers compare. */
  public static final class JobStates {
    private JobStates() {}

    public static JobState of(Job job) {
      return new JobState(job.getVersion(), job.getSpec().getMetaOrDefault("chaos.value", ""),
          job.getStatus() == JobStatus.JOB_STATUS_STOPPED);
    }
  }
}
