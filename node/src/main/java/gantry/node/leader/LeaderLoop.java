package gantry.node.leader;

import gantry.node.leader.LeaderAction.Close;
import gantry.node.leader.LeaderAction.NodeMark;
import gantry.node.leader.LeaderAction.PlanCommit;
import gantry.node.leader.LeaderAction.Propose;
import gantry.node.leader.LeaderAction.Send;
import gantry.node.leader.LeaderAction.StatusCommit;
import gantry.node.leader.LeaderAction.Untracked;
import gantry.node.leader.LeaderEvent.EntryApplied;
import gantry.node.leader.LeaderEvent.Heartbeat;
import gantry.node.leader.LeaderEvent.LeadershipGained;
import gantry.node.leader.LeaderEvent.LeadershipLost;
import gantry.node.leader.LeaderEvent.PlanReady;
import gantry.node.leader.LeaderEvent.ProposalDone;
import gantry.node.leader.LeaderEvent.SessionClosed;
import gantry.node.leader.LeaderEvent.SessionOpened;
import gantry.node.leader.LeaderEvent.StatusWaiting;
import gantry.node.leader.LeaderEvent.Tick;
import gantry.node.state.ClusterState;
import gantry.v1.AllocationUpdates;
import gantry.v1.EvalStatus;
import gantry.v1.Evaluation;
import gantry.v1.ManagerMessage;
import gantry.v1.NotLeader;
import gantry.v1.Record;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's event loop (the KRaft shape): events come in from any thread
 * ({@link #post}), are handled one at a time on one thread by the handlers
 * ({@link HeartbeatMonitor}, {@link Dispatcher}, {@link StatusCommits}, {@link PlanApplier},
 * {@link DeploymentWatcher}, the broker), which return
 * {@link LeaderAction}s, and this driver carries those out: proposals through Raft, messages
 * on agent sessions. Proposal outcomes come back as events.
 *
 * <p>The replicated state is read through {@link Effects#state()} at each event, never kept:
 * installing a Raft snapshot replaces it, and a handler holding the old copy would push
 * assignments from stale state and never watch newer nodes.
 *
 * <p>Leadership: idle -> (LeadershipGained) leading: the broker opens with the state's pending
 * evaluations, every node gets a fresh TTL, the scheduling view is rebuilt -> (LeadershipLost,
 * or a tick that finds Raft no longer names this peer) idle: the broker drops its work and
 * every agent is told where the leader is.
 */
final class LeaderLoop implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderLoop.class);
  static final long TICK_MS = 100;

  /** The loop's I/O: Raft, reached through narrow calls, so harness tests run without it. */
  interface Effects {
    /** The current replicated state (replaced by a snapshot install). */
    ClusterState state();

    long appliedIndex();

    /** Completes with the index the records were applied at. */
    CompletableFuture<Long> propose(List<Record> records);

    /** Whether Raft names this peer leader right now. */
    boolean isRaftLeader();

    /** The leader's gRPC address as this peer knows it, or "". */
    String leaderAddress();

    /** The number of open agent sessions changed to {@code open} (for the metrics). */
    default void agentSessions(int open) {}

    /** The latest report of an allocation's use, if recent (for the autoscaler). */
    default java.util.Optional<gantry.v1.AllocationMetrics> allocationMetrics(String id) {
      return java.util.Optional.empty();
    }
  }

  private final BlockingQueue<LeaderEvent> events = new LinkedBlockingQueue<>();
  private final Effects io;
  private final Clock clock;
  private final EvalBroker broker;
  private final SchedulingView view;
  private final HeartbeatMonitor heartbeats;
  private final Dispatcher dispatcher;
  private final PlanApplier applier;
  private final DeploymentWatcher deployments = new DeploymentWatcher();
  private final Autoscaler autoscaler = new Autoscaler();
  private final StateGc gc;
  private final StatusBacklog backlog = new StatusBacklog();
  private final StatusCommits statuses = new StatusCommits(backlog);
  private volatile boolean leading;
  private volatile boolean closed;
  private long lastTick;
  private Thread thread;

  LeaderLoop(Effects io, Clock clock, EvalBroker broker, SchedulingView view, HeartbeatMonitor heartbeats,
      Dispatcher dispatcher, PlanApplier applier, StateGc gc) {
    this.io = io;
    this.clock = clock;
    this.broker = broker;
    this.view = view;
    this.heartbeats = heartbeats;
    this.dispatcher = dispatcher;
    this.applier = applier;
    this.gc = gc;
  }

  /** Starts the loop's thread. */
  LeaderLoop start() {
    thread = Thread.ofPlatform().daemon().name("gantry-leader").start(this::run);
    return this;
  }

  void post(LeaderEvent e) {
    events.add(e);
  }

  boolean isLeading() {
    return leading;
  }

  /**
   * A heartbeat or status report from {@code nodeId} arrived: its liveness counts from now, before
   * the event waits in the queue behind whatever the loop has to do first. Any thread.
   */
  void heard(String nodeId) {
    heartbeats.heartbeat(nodeId, clock.millis());
  }

  /**
   * Allocation status from {@code nodeId} (metrics already taken out): it waits in the backlog,
   * newest per allocation, until the loop has room to propose it; the loop is woken only if no
   * wake-up is on its way. Also a sign of life. Any thread.
   */
  void reported(String nodeId, AllocationUpdates updates) {
    heard(nodeId);
    if (backlog.add(nodeId, updates)) post(new StatusWaiting());
  }

  /** Handles every event queued now (harness tests drive the loop this way, with no thread). */
  void drain() {
    for (LeaderEvent e; (e = events.poll()) != null; ) handle(e);
  }

  private void run() {
    lastTick = clock.millis();
    while (!closed) {
      try {
        LeaderEvent e = events.poll(TICK_MS, TimeUnit.MILLISECONDS);
        if (e != null) handle(e);
        long now = clock.millis();
        if (now - lastTick >= TICK_MS) {
          lastTick = now;
          handle(new Tick());
        }
      } catch (InterruptedException ie) {
        return;
      } catch (RuntimeException ex) {
        LOG.warn("leader loop: {}", ex.toString(), ex);
      }
    }
  }

  void handle(LeaderEvent event) {
    switch (event) {
      case LeadershipGained g -> gained();
      case LeadershipLost l -> lost();
      case EntryApplied a -> {
        if (!leading) return;
        ClusterState state = io.state();
        for (String id : a.changes().readyEvals()) state.eval(id).ifPresent(broker::enqueue);
        if (!a.changes().touchedNodes().isEmpty()) {
          execute(dispatcher.touched(a.changes(), state, io.appliedIndex()));
        }
      }
      case SessionOpened o -> {
        if (!leading) {
          o.stream().send(ManagerMessage.newBuilder()
              .setNotLeader(NotLeader.newBuilder().setLeaderGrpcAddress(io.leaderAddress())).build());
          o.stream().close();
          return;
        }
        heartbeats.heartbeat(o.nodeId(), clock.millis());
        execute(dispatcher.open(o.nodeId(), o.stream(), o.acceptsDeltas(), io.state(), io.appliedIndex()));
        io.agentSessions(dispatcher.sessionCount());
      }
      case SessionClosed c -> {
        dispatcher.closed(c.nodeId(), c.stream());
        io.agentSessions(dispatcher.sessionCount());
      }
      case Heartbeat h -> {
        if (h.ack() && leading) execute(dispatcher.heartbeatAck(h.nodeId()));
      }
      case StatusWaiting s -> {
        if (leading) execute(statuses.flush(io.state(), clock.millis()));
      }
      case PlanReady p -> {
        if (!leading) {
          p.accepted().completeExceptionally(new IllegalStateException("no longer the leader"));
          return;
        }
        Propose proposal = applier.apply(p.eval(), p.plan(), clock.millis());
        p.accepted().complete(propose(proposal));
      }
      case ProposalDone d -> {
        switch (d.tag()) {
          case NodeMark m -> heartbeats.done(m, d.error() == null);
          case PlanCommit c -> applier.done(c, d.error());
          case LeaderAction.Autoscale a -> autoscaler.done(a, d.error());
          case LeaderAction.CollectGarbage c -> gc.done(c, d.error());
          case StatusCommit c -> {
            if (leading) execute(statuses.done(c, io.state(), clock.millis()));
          }
          case Untracked u -> { }
        }
      }
      case Tick t -> {
        if (!leading) return;
        // Ratis' notifications drive the leadership; this guard only makes sure a deposed
        // leader whose step-down notification was missed stops acting as one.
        if (!io.isRaftLeader()) {
          LOG.warn("Raft no longer names this peer leader: stepping down");
          lost();
          return;
        }
        execute(heartbeats.check(io.state(), clock.millis()));
        execute(deployments.check(io.state(), clock.millis()));
        execute(autoscaler.check(io.state(), io::allocationMetrics, clock.millis()));
        execute(gc.check(io.state(), clock.millis()));
      }
    }
  }

  private void gained() {
    if (leading) return;
    ClusterState state = io.state();
    heartbeats.reset();
    deployments.reset();
    autoscaler.reset();
    gc.reset();
    statuses.reset();
    view.reset();
    leading = true;
    List<Evaluation> pending = state.evals().stream()
        .filter(e -> e.getStatus() == EvalStatus.EVAL_STATUS_PENDING).toList();
    broker.open(pending);
    LOG.info("leading: {} pending evaluations, {} nodes", pending.size(), state.nodes().size());
  }

  private void lost() {
    if (!leading) return;
    leading = false;
    broker.close();
    statuses.reset();
    execute(dispatcher.leadershipLost(io.leaderAddress()));
    io.agentSessions(dispatcher.sessionCount());
    LOG.info("no longer leading");
  }

  private void execute(List<LeaderAction> actions) {
    for (LeaderAction a : actions) {
      switch (a) {
        case Propose p -> propose(p);
        case Send s -> s.to().send(s.message());
        case Close c -> c.stream().close();
      }
    }
  }

  private CompletableFuture<Long> propose(Propose p) {
    CompletableFuture<Long> f = io.propose(p.records());
    if (!(p.tag() instanceof Untracked)) {
      f.whenComplete((index, err) -> post(new ProposalDone(p.tag(), index == null ? -1 : index, err)));
    }
    return f;
  }

  @Override
  public void close() {
    closed = true;
    if (thread != null) thread.interrupt();
  }
}
