package gantry.node.leader;

import gantry.node.raft.RaftNode;
import gantry.node.state.Changes;
import gantry.node.state.ClusterState;
import gantry.v1.EvalStatus;
import gantry.v1.Evaluation;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts and stops the leader's duties as this peer gains and loses the Raft leadership:
 * the evaluation broker and scheduler workers, the scheduling view and plan applier, the
 * heartbeat monitor and the agent dispatcher. Applied entries feed it ready evaluations,
 * applied plans and touched nodes.
 */
public final class Leader implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Leader.class);

  private final RaftNode raft;
  private final EvalBroker broker = new EvalBroker();
  private final SchedulingView view;
  private final HeartbeatMonitor heartbeats;
  private final Dispatcher dispatcher;
  private final SchedulerWorkers workers;
  private final ExecutorService pushes = Executors.newSingleThreadExecutor(r -> Thread.ofPlatform()
      .daemon().name("gantry-assignments").unstarted(r));
  private final Thread ticker;
  private volatile boolean leading;
  private volatile boolean closed;

  public Leader(RaftNode raft, Clock clock, Duration heartbeatTtl, int workerCount, Supplier<String> leaderAddress) {
    this.raft = raft;
    ClusterState state = raft.stateMachine().state();
    this.view = new SchedulingView(raft.stateMachine()::state, raft.stateMachine()::appliedIndex);
    this.heartbeats = new HeartbeatMonitor(state, raft.proposer(), clock, heartbeatTtl);
    this.dispatcher = new Dispatcher(state, raft.proposer(), heartbeats, clock,
        raft.stateMachine()::appliedIndex, leaderAddress);
    PlanApplier applier = new PlanApplier(view, raft.proposer(), clock);
    this.workers = new SchedulerWorkers(workerCount, broker, raft.stateMachine()::state, view, applier, this::isLeading);
    raft.stateMachine().onApplied(this::applied);
    this.ticker = Thread.ofPlatform().daemon().name("gantry-leader").start(this::tick);
  }

  public Dispatcher dispatcher() {
    return dispatcher;
  }

  /** Whether this peer leads right now (and has opened its duties). */
  public boolean isLeading() {
    return leading && raft.isLeader();
  }

  private void applied(Changes changes) {
    if (!leading) return;
    view.applied(changes);
    ClusterState state = raft.stateMachine().state();
    for (String id : changes.readyEvals()) state.eval(id).ifPresent(broker::enqueue);
    if (!changes.touchedNodes().isEmpty()) {
      List<String> nodes = List.copyOf(changes.touchedNodes());
      pushes.execute(() -> dispatcher.touched(nodes));
    }
  }

  private void tick() {
    while (!closed) {
      try {
        boolean now = raft.isLeader();
        if (now && !leading) becameLeader();
        if (!now && leading) lostLeadership();
        if (leading) heartbeats.check();
        Thread.sleep(100);
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException e) {
        LOG.warn("leader tick: {}", e.toString());
      }
    }
  }

  private void becameLeader() {
    ClusterState state = raft.stateMachine().state();
    heartbeats.reset();
    view.reset();
    leading = true;
    List<Evaluation> pending = state.evals().stream()
        .filter(e -> e.getStatus() == EvalStatus.EVAL_STATUS_PENDING).toList();
    broker.open(pending);
    LOG.info("leading: {} pending evaluations, {} nodes", pending.size(), state.nodes().size());
  }

  private void lostLeadership() {
    leading = false;
    broker.close();
    pushes.execute(dispatcher::leadershipLost);
    LOG.info("no longer leading");
  }

  @Override
  public void close() {
    closed = true;
    ticker.interrupt();
    workers.close();
    broker.close();
    pushes.shutdownNow();
  }
}
