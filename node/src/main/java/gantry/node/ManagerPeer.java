package gantry.node;

import gantry.node.config.HostPorts;
import gantry.node.config.SecurityConfig;
import gantry.node.config.ServerConfig;
import gantry.node.control.ControlHandler;
import gantry.node.guard.AuditLog;
import gantry.node.guard.LimitInterceptor;
import gantry.node.guard.RateLimiter;
import gantry.node.guard.AgentAdmission;
import gantry.node.guard.IdentityInterceptor;
import gantry.node.guard.PeerGuard;
import gantry.node.guard.PeerTls;
import gantry.node.http.HttpEndpoint;
import gantry.node.http.LeaderChanges;
import gantry.node.leader.Leader;
import gantry.node.live.AgentLogs;
import gantry.node.live.LiveMetrics;
import gantry.node.live.LiveQueries;
import gantry.node.live.ServiceWatch;
import gantry.node.live.UpdateFilter;
import gantry.node.metrics.ManagerMetrics;
import gantry.node.raft.RaftNode;
import gantry.node.rpc.ControlService;
import gantry.node.rpc.DispatcherService;
import gantry.node.rpc.HealthReporter;
import gantry.node.rpc.HealthRule;
import gantry.security.tls.GrpcTls;
import gantry.security.tls.HangupReload;
import gantry.security.tls.TlsMaterial;
import gantry.v1.NotLeaderDetail;
import gantry.v1.Peer;
import io.grpc.Server;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running manager peer: the Raft node with its applied state, the control layer, and the
 * gRPC endpoint users and agents talk to. The endpoint also serves the standard health service
 * (statuses by {@link HealthRule}) and server reflection, for grpcurl and load balancers. When
 * {@code http_addr} is set, the same control layer also answers over HTTP/JSON, beside
 * Prometheus {@code /metrics} ({@link HttpEndpoint}).
 */
public final class ManagerPeer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ManagerPeer.class);

  private final ServerConfig config;
  private final RaftNode raft;
  private final ControlHandler control;
  private final Server grpc;
  /** Null when http_addr is empty (HTTP off). */
  private final HttpEndpoint http;
  private final Leader leader;
  private final HealthReporter health;
  private final ServiceWatch services;
  private final CountDownLatch closed = new CountDownLatch(1);
  private final CountDownLatch terminated = new CountDownLatch(1);
  private volatile String stoppedBecause;
  private final Thread announcer;
  private final AuditLog audit;
  private final LimitInterceptor limits;
  /** SIGHUP reloads this peer's certificates until close; null without TLS. */
  private volatile AutoCloseable reloads;

  private ManagerPeer(ServerConfig config, RaftNode raft, ControlHandler control, Server grpc, HttpEndpoint http,
      Leader leader, HealthReporter health, ServiceWatch services, AuditLog audit, LimitInterceptor limits) {
    this.audit = audit;
    this.limits = limits;
    this.config = config;
    this.services = services;
    this.raft = raft;
    this.control = control;
    this.grpc = grpc;
    this.http = http;
    this.leader = leader;
    this.health = health;
    this.announcer = Thread.ofVirtual().name("gantry-announce").start(this::announce);
    raft.onServerLost(this::stopOnLostServer);
  }

  /**
   * A peer whose Raft server Ratis closed would stay up, answering nothing useful and out of
   * the group, until somebody noticed. It stops instead, with the reason, so that its
   * supervisor (systemd {@code Restart=on-failure}) starts it again from its data directory.
   */
  private void stopOnLostServer(String reason) {
    stoppedBecause = reason;
    LOG.error("stopping peer {}: {}", config.id(), reason);
    Thread.ofPlatform().name("gantry-stop").start(this::close);
  }

  /** Why this peer stopped on its own (see {@link RaftNode#onServerLost}), or empty after a normal close. */
  public java.util.Optional<String> stoppedBecause() {
    return java.util.Optional.ofNullable(stoppedBecause);
  }

  /** Starts the Raft server, the applied state and the gRPC (and, if configured, HTTP) endpoints of one peer. */
  public static ManagerPeer start(ServerConfig config) throws IOException {
    return start(config, null);
  }

  /**
   * As {@link #start(ServerConfig)}, with the guard's audit trail (every write and every denial,
   * recorded before the answer is sent) going to {@code sink} instead of this peer's audit log
   * file; null: to the file, as in production.
   */
  public static ManagerPeer start(ServerConfig config, gantry.node.guard.AuditSink sink) throws IOException {
    ManagerMetrics events = new ManagerMetrics();
    SecurityConfig security = config.security();
    Optional<TlsMaterial> tls = PeerTls.load(security); // one material: a reload reaches gRPC, Raft and HTTPS
    AuditLog audit = openAudit(config);
    RaftNode raft;
    try {
      raft = RaftNode.start(config, events::applied, tls);
    } catch (IOException | RuntimeException e) {
      audit.close();
      throw e;
    }
    raft.onLeaderCrashElection(events::crashElection);
    // First, so that as few leader changes as possible pass unseen (see LeaderChanges).
    LeaderChanges leaderChanges = LeaderChanges.follow(raft.stateMachine());
    Clock clock = Clock.systemUTC();
    ControlHandler control = new ControlHandler(raft, clock);
    Supplier<NotLeaderDetail> leaderHint = () -> raft.leaderId()
        .map(id -> NotLeaderDetail.newBuilder().setLeaderId(id).setLeaderGrpcAddress(
            raft.stateMachine().announcedPeers().getOrDefault(id, Peer.getDefaultInstance()).getGrpcAddress()).build())
        .orElse(NotLeaderDetail.getDefaultInstance());
    Supplier<String> leaderAddress = () -> leaderHint.get().getLeaderGrpcAddress();
    LiveMetrics metrics = new LiveMetrics(clock);
    Leader leader = new Leader(raft, clock, config.heartbeatTtl(), config.gc(),
        config.schedulerWorkers(), leaderAddress, events,
        metrics::allocation);
    AgentLogs logs = new AgentLogs();
    LiveQueries live = new LiveQueries(leader::isLeading, leaderHint, () -> raft.stateMachine().state(), metrics, logs);
    ServiceWatch services = new ServiceWatch(leader::isLeading, leaderHint, () -> raft.stateMachine().state(),
        () -> raft.stateMachine().appliedIndex(), metrics::nodeTotals);
    raft.stateMachine().onApplied(changes -> services.applied());
    raft.stateMachine().onLeadership(leads -> {
      if (!leads) services.leadershipLost();
    });
    // Sessions need the leader's loop open (leader.isLeading()) and Raft still naming this peer
    // (a step-down shows at once, before the loop has handled it).
    HealthReporter health = new HealthReporter(() -> new HealthRule.Facts(leader.isLeading() && raft.isLeader(),
        raft.leaderId().isPresent(), raft.divergedReason() != null));
    raft.stateMachine().onLeadership(leads -> health.leadershipChanged());
    gantry.node.guard.Guard guard = PeerGuard.of(security.acl(), raft, sink == null ? audit : sink, clock);
    // The limits run before the guard (the server's interceptors before a service's): a call over
    // the rate costs no token lookup and no audit fsync.
    RateLimiter limiter = new RateLimiter(security.ratePerToken(), security.rateBurst(), System::nanoTime);
    LimitInterceptor limits = new LimitInterceptor(limiter, security.unaryDeadline());
    Server grpc;
    try {
      grpc = NettyServerBuilder.forAddress(HostPorts.parse(config.grpcAddress()))
          .addService(io.grpc.ServerInterceptors.intercept(
              new ControlService(control, new gantry.node.control.AclControl(raft, clock), live, services,
                  raft.stateMachine().events(), audit, new gantry.node.backup.SnapshotSaver(raft, clock),
                  new gantry.node.backup.SnapshotRestorer(raft)),
              new gantry.node.guard.GuardInterceptor(guard)))
          .addService(new DispatcherService(leader, raft.proposer(), clock, leaderHint, metrics, logs,
              new UpdateFilter(() -> raft.stateMachine().state()),
              tls.isEmpty() ? AgentAdmission.open()
                  : AgentAdmission.certified(id -> raft.stateMachine().state().node(id).map(gantry.v1.Node::getName))))
          .addService(health.service())
          .addService(ProtoReflectionServiceV1.newInstance())
          .addService(v1alphaReflection())
          .sslContext(tls.map(GrpcTls::server).orElse(null)) // null: plaintext
          .intercept(limits)
          .intercept(new IdentityInterceptor()) // added last, runs first: the limits and the guard see who calls
          .maxInboundMessageSize(security.maxMessageBytes())
          .maxConcurrentCallsPerConnection(security.maxStreamsPerConnection())
          // service watchers (gantry:/// clients) ping every 10 s to notice a lost leader
          .permitKeepAliveTime(10, TimeUnit.SECONDS)
          .permitKeepAliveWithoutCalls(true)
          .build()
          .start();
    } catch (IOException e) {
      health.close();
      services.close();
      leader.close();
      limits.close();
      audit.close();
      raft.close();
      throw new IOException("grpc_addr " + config.grpcAddress() + ": " + rootMessage(e), e);
    }
    HttpEndpoint http = null;
    if (!config.httpAddress().isEmpty()) {
      try {
        http = HttpEndpoint.start(config.httpAddress(), control, services, live, raft, leaderChanges, events, guard, limiter,
            security.maxMessageBytes(), tls);
      } catch (IOException e) {
        health.close();
        services.close();
        grpc.shutdownNow();
        leader.close();
        limits.close();
        audit.close();
        raft.close();
        throw e;
      }
    }
    LOG.info("peer {} serving gRPC on {}, Raft on {}", config.id(), grpcAddress(grpc, config), config.raftAddress());
    ManagerPeer peer = new ManagerPeer(config, raft, control, grpc, http, leader, health, services, audit, limits);
    tls.ifPresent(material -> peer.reloads = HangupReload.register(material));
    return peer;
  }

  private static AuditLog openAudit(ServerConfig config) throws IOException {
    try {
      return AuditLog.open(config.dataDir(), config.security().auditMaxBytes(), config.security().auditKeep());
    } catch (IOException e) {
      throw new IOException("audit log in " + config.dataDir() + ": " + e.getMessage(), e);
    }
  }

  /**
   * This peer's audit log ({@code <data-dir>/audit.log}): the guard records every write and every
   * denial there before it answers; ReadAudit reads it back.
   */
  public AuditLog audit() {
    return audit;
  }


  /**
   * grpc.reflection.v1alpha: deprecated in grpc-java, but older grpcurl and grpcui releases ask
   * only for it (newer ones try v1 first).
   */
  @SuppressWarnings("deprecation")
  private static io.grpc.BindableService v1alphaReflection() {
    return ProtoReflectionService.newInstance();
  }

  /** The gRPC address actually bound (resolves a configured port 0). */
  public String grpcAddress() {
    return grpcAddress(grpc, config);
  }

  /** The HTTP address actually bound (resolves a configured port 0), or "" when HTTP is off. */
  public String httpAddress() {
    return http == null ? "" : http.address();
  }

  /**
   * The gRPC address others reach this peer at (announced to the cluster, sent to agents and
   * clients as the leader's): the configured host, or, when it binds every interface (0.0.0.0,
   * ::), the host of this peer's Raft address, which the other peers already reach. A wildcard
   * hint sent an agent to its own loopback before it tried the next manager.
   */
  private static String grpcAddress(Server grpc, ServerConfig config) {
    InetSocketAddress bound = HostPorts.parse(config.grpcAddress());
    boolean wildcard = bound.getAddress() != null && bound.getAddress().isAnyLocalAddress();
    String host = (wildcard ? HostPorts.parse(config.raftAddress()) : bound).getHostString();
    return (host.contains(":") ? "[" + host + "]" : host) + ":" + grpc.getPort();
  }

  /**
   * Records this peer's addresses in the replicated state so others can point clients and
   * agents to it; retried until a leader accepts it.
   */
  private void announce() {
    Peer want = Peer.newBuilder().setId(config.id()).setGrpcAddress(grpcAddress()).setHttpAddress(httpAddress()).build();
    for (long backoff = 200; closed.getCount() > 0; backoff = Math.min(backoff * 2, 5000)) {
      Peer known = raft.stateMachine().announcedPeers().get(config.id());
      if (want.equals(known)) return;
      try {
        control.announce(config.id(), want.getGrpcAddress(), want.getHttpAddress()).get(20, TimeUnit.SECONDS);
        return;
      } catch (Exception e) {
        LOG.debug("announce not yet accepted: {}", e.toString());
      }
      try {
        if (closed.await(backoff, TimeUnit.MILLISECONDS)) return;
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** Blocks until the peer is closed and everything it ran has stopped. */
  public void awaitTermination() throws InterruptedException {
    terminated.await();
  }

  @Override
  public void close() {
    synchronized (closed) {
      if (closed.getCount() == 0) return;
      closed.countDown();
    }
    try {
      announcer.interrupt();
      if (reloads != null) {
        try {
          reloads.close();
        } catch (Exception e) {
          LOG.warn("unregistering the certificate reload: {}", e.toString());
        }
      }
      health.close(); // NOT_SERVING first: health watchers move away before the port closes
      services.close(); // ends the service watches, which would hold the shutdown below
      raft.stateMachine().events().close(); // and the event streams (gRPC and HTTP), for the same reason
      grpc.shutdown();
      try {
        grpc.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      grpc.shutdownNow();
      if (http != null) http.close(); // before Raft: requests in flight still get their answers
      limits.close();
      try {
        audit.close(); // after both endpoints: no request is answered unaudited
      } catch (IOException e) {
        LOG.warn("closing the audit log: {}", e.toString());
      }
      leader.close();
      try {
        raft.close();
      } catch (IOException e) {
        LOG.warn("closing Raft: {}", e.toString());
      }
    } finally {
      terminated.countDown();
    }
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) t = t.getCause();
    return t.getMessage();
  }
}
