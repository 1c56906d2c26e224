package gantry.node.raft;

import gantry.node.config.HostPorts;
import gantry.node.config.ServerConfig;
import gantry.v1.StateQuery;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.RaftConfigKeys;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.rpc.SupportedRpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.SizeInBytes;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.LoggerFactory;

/**
 * One peer's Raft machinery: the Ratis server holding the log and the
 * {@link GantryStateMachine}, and a Ratis client through which this peer's requests reach
 * the leader (writes) or get a read index (linearizable reads).
 */
public final class RaftNode implements AutoCloseable {
  /** The one Raft group of a Gantry cluster. */
  static final RaftGroupId GROUP_ID =
      RaftGroupId.valueOf(UUID.nameUUIDFromBytes("gantry-managers".getBytes(StandardCharsets.UTF_8)));

  private final RaftPeerId self;
  private final RaftGroup group;
  private final GantryStateMachine stateMachine;
  private final RaftServer server;
  private final RaftClient client;
  private final Proposer proposer;
  private final ServerLoss loss;
  /** Null on a diverged peer, which takes no part in elections. */
  private final LeaderCrashWatch crashWatch;

  private RaftNode(RaftPeerId self, RaftGroup group, GantryStateMachine sm, RaftServer server, RaftClient client,
      Proposer proposer, ServerLoss loss, LeaderCrashWatch crashWatch) {
    this.self = self;
    this.loss = loss;
    this.crashWatch = crashWatch;
    this.group = group;
    this.stateMachine = sm;
    this.server = server;
    this.client = client;
    this.proposer = proposer;
  }

  /** Closes the Raft server of a diverged peer, so it no longer votes, leads or appends. */
  private static void leaveGroup(RaftServer server, ServerLoss loss) {
    loss.closingOnPurpose();
    LoggerFactory.getLogger(RaftNode.class).error("DIVERGED: leaving the Raft group until an operator repairs this peer");
    try {
      server.close();
    } catch (IOException e) {
      LoggerFactory.getLogger(RaftNode.class).error("closing the Raft server of a diverged peer", e);
    }
  }

  /** Why this peer's state differs from the cluster's (it then takes no part in Raft), or null. */
  public String divergedReason() {
    return stateMachine.divergedReason();
  }

  /** Starts the Raft server (recovering its storage if it exists) and the client. */
  public static RaftNode start(ServerConfig config) throws IOException {
    return start(config, nanos -> {});
  }

  /**
   * Starts the Raft server and the client, with a state machine that reports the time of each
   * entry it applies to {@code applyNanos} (from the first entry replayed at start).
   */
  public static RaftNode start(ServerConfig config, java.util.function.LongConsumer applyNanos) throws IOException {
    return start(config, applyNanos, gantry.node.guard.PeerTls.load(config.security()));
  }

  /**
   * As {@link #start(ServerConfig, java.util.function.LongConsumer)}, with the TLS material of
   * the peer (shared with its other ports, so one reload reaches all), or plaintext if empty.
   */
  public static RaftNode start(ServerConfig config, java.util.function.LongConsumer applyNanos,
      Optional<gantry.security.tls.TlsMaterial> tls) throws IOException {
    Parameters parameters = RaftTls.parameters(tls);
    List<RaftPeer> peers = config.peers().entrySet().stream()
        .map(e -> RaftPeer.newBuilder().setId(e.getKey()).setAddress(e.getValue()).build())
        .toList();
    RaftGroup group = RaftGroup.valueOf(GROUP_ID, peers);
    // Before anything touches RocksDB: its library is kept in the data directory, not copied
    // out of the jar into /tmp at every start.
    gantry.node.store.RocksLibrary.load(config.dataDir().resolve("native"));
    File storageDir = config.dataDir().resolve("raft").toFile();
    boolean exists = new File(storageDir, GROUP_ID.getUuid().toString()).isDirectory();
    Files.createDirectories(storageDir.toPath());

    RaftProperties props = serverProperties(config, storageDir);
    GantryStateMachine sm = new GantryStateMachine(applyNanos, new gantry.node.events.EventLog(config.eventBuffer()));
    ServerLoss loss = new ServerLoss();
    RaftPeerId self = RaftPeerId.valueOf(config.id());
    RaftServer server = RaftServer.newBuilder()
        .setServerId(self)
        .setGroup(group)
        .setStateMachine(sm)
        .setProperties(props)
        .setParameters(parameters)
        .setOption(exists ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
        .build();
    LeaderCrashWatch crashWatch = null;
    String diverged = GantryStateMachine.recordedDivergence(
        storageDir.toPath().resolve(GROUP_ID.getUuid().toString()).resolve("sm"));
    if (diverged != null) {
      // A peer whose state differs from the cluster's takes no part in Raft at all: it does not
      // vote, cannot be elected and writes nothing. Its gRPC port stays up to say why.
      sm.startDiverged(diverged);
      LoggerFactory.getLogger(RaftNode.class).error("DIVERGED (recorded earlier), not joining the Raft group: {}", diverged);
    } else {
      server.start();
      sm.onDivergence(reason -> Thread.ofPlatform().name("gantry-leave-group").start(() -> leaveGroup(server, loss)));
      sm.onClose(loss::divisionClosed);
      LeaderCrashWatch watch = LeaderCrashWatch.start(server, self, group, clientProperties(config), parameters);
      sm.onLeadership(leads -> watch.leaderChanged());
      crashWatch = watch;
    }

    RaftClient client = RaftClient.newBuilder()
        .setClientId(ClientId.randomId())
        .setRaftGroup(group)
        .setLeaderId(null)
        .setProperties(clientProperties(config))
        .setParameters(parameters)
        // Failover: keep trying for ~15 s with short sleeps, so a write waits out an election
        // (well under a second) rather than failing. The sleep is short because it is paid again
        // on each hop after the election (the new leader not ready yet, then a retry to another
        // peer): failover_ms of BENCH_PHASES=failover scripts/bench/state.sh (medians of 5 rounds
        // per run) went from 1,085 and 1,067 at 50 ms to 856, 936 and 991 at 10 ms.
        .setRetryPolicy(RetryPolicies.retryUpToMaximumCountWithFixedSleep(1500, TimeDuration.valueOf(10, TimeUnit.MILLISECONDS)))
        .build();
    Proposer proposer = new Proposer(client, config.batchMaxRecords(), config.batchMaxBytes());
    return new RaftNode(self, group, sm, server, client, proposer, loss, crashWatch);
  }

  /**
   * Calls {@code listener} once, on a Ratis thread, if Ratis closes this peer's Raft server on
   * its own (not on {@link #close()} nor when a diverged peer leaves the group), with the
   * reason. Nothing in Raft works on this peer afterwards; the owner should stop the process
   * so that its supervisor starts it again.
   */
  public void onServerLost(java.util.function.Consumer<String> listener) {
    loss.onLost(listener);
  }

  /**
   * Calls {@code listener} each time this peer starts an election at once because its leader's
   * Raft port refused connections (the leader's process ended; {@link LeaderCrashWatch}).
   */
  public void onLeaderCrashElection(Runnable listener) {
    if (crashWatch != null) crashWatch.onElection(listener);
  }

  /** This peer's division, for tests that close it under the node as Ratis would. */
  RaftServer.Division division() throws IOException {
    return server.getDivision(GROUP_ID);
  }

  private static RaftProperties serverProperties(ServerConfig config, File storageDir) {
    RaftProperties p = new RaftProperties();
    RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
    var raftAddr = HostPorts.parse(config.raftAddress());
    GrpcConfigKeys.Server.setHost(p, raftAddr.getHostString());
    GrpcConfigKeys.Server.setPort(p, raftAddr.getPort());
    GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf("64MB"));
    RaftServerConfigKeys.setStorageDir(p, List.of(storageDir));
    RaftServerConfigKeys.Rpc.setTimeoutMin(p, TimeDuration.valueOf(config.electionTimeoutMin().toMillis(), TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Rpc.setTimeoutMax(p, TimeDuration.valueOf(config.electionTimeoutMax().toMillis(), TimeUnit.MILLISECONDS));
    RaftServerConfigKeys.Read.setOption(p, RaftServerConfigKeys.Read.Option.LINEARIZABLE);
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(p, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(p, config.snapshotEveryEntries());
    RaftServerConfigKeys.Snapshot.setRetentionFileNum(p, 2);
    RaftServerConfigKeys.Log.setPurgeUptoSnapshotIndex(p, true);
    RaftServerConfigKeys.Log.setPurgeGap(p, 64);
    // Keep one snapshot interval of log behind each snapshot (etcd keeps 5,000 entries): a
    // follower that just installed a snapshot catches up from the log instead of needing the
    // next snapshot at once. Back-to-back installs on a loaded follower made Ratis 3.3 append a
    // queued stale entry after the second install and stop its log worker (chaos finding
    // 2026-11-30-campaign-30m).
    RaftServerConfigKeys.Log.setPurgePreservationLogNum(p, config.snapshotEveryEntries());
    RaftServerConfigKeys.Log.setSegmentSizeMax(p, SizeInBytes.valueOf(config.raftSegmentBytes()));
    RaftServerConfigKeys.Log.Appender.setInstallSnapshotEnabled(p, true);
    RaftServerConfigKeys.Write.setByteLimit(p, SizeInBytes.valueOf("256MB"));
    // With "compose" on (Ratis's default since 3.2), a follower appends entries on another
    // thread, and a heartbeat whose previous entry is still queued may raise the commit index
    // before the queued append has truncated a stale tail. The state machine then applies
    // a deposed leader's uncommitted entry. The chaos suite caught this as a diverged peer
    // (chaos-tests/findings/2026-11-22-divergence). Appending in the request thread
    // truncates the stale tail before any later request is checked against the log.
    RaftServerConfigKeys.Log.setAppendEntriesComposeEnabled(p, false);
    // Ratis otherwise appends a metadata entry (the new commit index) to the log after each
    // commit: one more append, fsync and replication round per write, so that a restarted peer
    // can apply up to its old commit index before it hears from a leader. The state machine
    // keeps its own applied index in RocksDB and needs none of it; without it, registrations
    // per second went up 17-25 % at 1, 16 and 64 clients (two alternating quick runs of
    // scripts/bench/state.sh each way). Commit still needs a majority's fsync, as before.
    RaftServerConfigKeys.Log.setLogMetadataEnabled(p, false);
    return p;
  }

  private static RaftProperties clientProperties(ServerConfig config) {
    RaftProperties p = new RaftProperties();
    RaftConfigKeys.Rpc.setType(p, SupportedRpcType.GRPC);
    GrpcConfigKeys.setMessageSizeMax(p, SizeInBytes.valueOf("64MB"));
    RaftClientConfigKeys.Rpc.setRequestTimeout(p, TimeDuration.valueOf(3, TimeUnit.SECONDS));
    RaftClientConfigKeys.Async.setOutstandingRequestsMax(p, 1024);
    return p;
  }

  public Proposer proposer() {
    return proposer;
  }

  public GantryStateMachine stateMachine() {
    return stateMachine;
  }

  /**
   * A linearizable read answered by this peer's own state machine once it has applied the
   * leader's commit index as of the request (Raft read index).
   */
  public CompletableFuture<ByteString> read(StateQuery query) {
    Message m = Message.valueOf(UnsafeByteOperations.unsafeWrap(query.toByteArray()));
    return client.async().sendReadOnlyUnordered(m, self).thenApply(RaftNode::content);
  }

  private static ByteString content(RaftClientReply reply) {
    if (!reply.isSuccess()) throw new java.util.concurrent.CompletionException(reply.getException());
    return reply.getMessage().getContent();
  }

  public String id() {
    return self.toString();
  }

  /**
   * Moves the leadership to {@code peerId} (Ratis leadership transfer: the leader stops taking
   * writes, brings the target up to date and tells it to start an election at once). Blocks
   * until the target leads or {@code timeoutMs} passes.
   *
   * @throws IOException if the transfer failed or timed out
   */
  public void transferLeadership(String peerId, long timeoutMs) throws IOException {
    RaftClientReply reply = client.admin().transferLeadership(RaftPeerId.valueOf(peerId), timeoutMs);
    if (!reply.isSuccess()) {
      throw new IOException(reply.getException() == null ? "leadership transfer failed" : reply.getException().getMessage());
    }
  }

  /** The leader's id as this peer knows it. */
  public Optional<String> leaderId() {
    try {
      RaftPeerId leader = server.getDivision(GROUP_ID).getInfo().getLeaderId();
      return Optional.ofNullable(leader).map(RaftPeerId::toString);
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  public long currentTerm() {
    try {
      return server.getDivision(GROUP_ID).getInfo().getCurrentTerm();
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /**
   * The index of the last entry this peer knows to be committed (Ratis' log of this division);
   * the applied index follows it. 0 while the division is not up.
   */
  public long commitIndex() {
    try {
      return server.getDivision(GROUP_ID).getRaftLog().getLastCommittedIndex();
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  public boolean isLeader() {
    try {
      return server.getDivision(GROUP_ID).getInfo().isLeader();
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /** The group's peers from the current Raft configuration: id -> Raft address. */
  public List<RaftPeer> peers() {
    try {
      return List.copyOf(server.getDivision(GROUP_ID).getGroup().getPeers());
    } catch (IOException | RuntimeException e) {
      // not started (a diverged peer) or closed: the configured group
      return List.copyOf(group.getPeers());
    }
  }

  @Override
  public void close() throws IOException {
    loss.closingOnPurpose();
    if (crashWatch != null) crashWatch.close();
    proposer.close();
    client.close();
    server.close();
  }
}
