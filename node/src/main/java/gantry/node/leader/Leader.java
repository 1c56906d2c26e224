package gantry.node.leader;

import gantry.node.metrics.ManagerMetrics;
import gantry.node.raft.RaftNode;
import gantry.node.state.ClusterState;
import gantry.scheduler.Plan;
import gantry.v1.AllocationUpdates;
import gantry.v1.Evaluation;
import gantry.v1.Record;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;

/**
 * The leader's duties, wired: the {@link LeaderLoop} with its handlers, the scheduler workers
 * that feed it plans, and the hooks that turn Raft's notifications (leader ready, leader
 * changed, entry applied) and agents' calls into the loop's events. The only public face of
 * the leader package.
 */
public final class Leader implements AutoCloseable {
  /** At most this many plans are accepted and not yet committed; workers wait beyond that. */
  static final int MAX_PLANS_IN_FLIGHT = 256;

  private final LeaderLoop loop;
  private final SchedulerWorkers workers;
  private final EvalBroker broker = new EvalBroker();
  private final Duration heartbeatTtl;
  private final Semaphore window = new Semaphore(MAX_PLANS_IN_FLIGHT);

  /**
   * @param gc                how long the GC waits before it deletes what is collectable
   * @param allocationMetrics the latest report of an allocation's use, if recent (the autoscaler's input)
   */
  public Leader(RaftNode raft, Clock clock, Duration heartbeatTtl, gantry.node.config.GcThresholds gc,
      int workerCount, Supplier<String> leaderAddress, ManagerMetrics metrics,
      java.util.function.Function<String, java.util.Optional<gantry.v1.AllocationMetrics>> allocationMetrics) {
    this.heartbeatTtl = heartbeatTtl;
    var sm = raft.stateMachine();
    SchedulingView view = new SchedulingView(sm::state, sm::appliedIndex);
    PipelineStats stats = new PipelineStats(metrics);
    LeaderLoop.Effects io = new LeaderLoop.Effects() {
      @Override
      public ClusterState state() {
        return sm.state();
      }

      @Override
      public long appliedIndex() {
        return sm.appliedIndex();
      }

      @Override
      public CompletableFuture<Long> propose(List<Record> records) {
        return raft.proposer().propose(records).thenApply(p -> p.index());
      }

      @Override
      public boolean isRaftLeader() {
        return raft.isLeader();
      }

      @Override
      public String leaderAddress() {
        return leaderAddress.get();
      }

      @Override
      public void agentSessions(int open) {
        metrics.agentSessions(open);
      }

      @Override
      public java.util.Optional<gantry.v1.AllocationMetrics> allocationMetrics(String id) {
        return allocationMetrics.apply(id);
      }
    };
    this.loop = new LeaderLoop(io, clock, broker, view, new HeartbeatMonitor(heartbeatTtl),
        new Dispatcher(heartbeatTtl.toMillis()),
        new PlanApplier(view, stats), new StateGc(gc));
    this.workers = new SchedulerWorkers(workerCount, broker, sm::state, view, this::submit, stats, this::isLeading);
    sm.onApplied(changes -> {
      // The view follows the state synchronously, on the apply thread, so the next snapshot a
      // worker takes is never behind the state it reads its job from.
      if (!loop.isLeading()) return;
      view.applied(changes);
      loop.post(new LeaderEvent.EntryApplied(changes));
    });
    sm.onLeadership(leads -> loop.post(leads ? new LeaderEvent.LeadershipGained() : new LeaderEvent.LeadershipLost()));
    // A snapshot restore replaced the whole state: the duties reopen on it as after an election
    // (the broker takes its pending evaluations, every node gets one TTL, agents reconnect and
    // get their assignments from it).
    sm.onStateRestored(() -> {
      if (!loop.isLeading()) return;
      loop.post(new LeaderEvent.LeadershipLost());
      loop.post(new LeaderEvent.LeadershipGained());
    });
    loop.start();
  }

  /** Whether this peer leads right now (and has opened its duties). */
  public boolean isLeading() {
    return loop.isLeading();
  }

  public long heartbeatTtlMs() {
    return heartbeatTtl.toMillis();
  }

  /**
   * An agent opened its session (the stream is the same object on close); {@code acceptsDeltas}:
   * it applies assignments that carry only what changed.
   */
  public void sessionOpened(String nodeId, AgentStream stream, boolean acceptsDeltas) {
    loop.post(new LeaderEvent.SessionOpened(nodeId, stream, acceptsDeltas));
  }

  public void sessionClosed(String nodeId, AgentStream stream) {
    loop.post(new LeaderEvent.SessionClosed(nodeId, stream));
  }

  /** A sign of life; with {@code ack} the agent gets a heartbeat acknowledgement. */
  public void heartbeat(String nodeId, boolean ack) {
    loop.heard(nodeId);
    loop.post(new LeaderEvent.Heartbeat(nodeId, ack));
  }

  /** Allocation status from an agent (metrics already taken out); also a sign of life. */
  public void statusReported(String nodeId, AllocationUpdates updates) {
    loop.reported(nodeId, updates);
  }

  private CompletableFuture<Long> submit(Evaluation eval, Plan plan) throws InterruptedException {
    window.acquire();
    CompletableFuture<CompletableFuture<Long>> accepted = new CompletableFuture<>();
    loop.post(new LeaderEvent.PlanReady(eval, plan, accepted));
    try {
      CompletableFuture<Long> commit = accepted.get();
      commit.whenComplete((i, e) -> window.release());
      return commit;
    } catch (ExecutionException e) {
      window.release();
      return CompletableFuture.failedFuture(e.getCause());
    } catch (InterruptedException e) {
      // Not waited for any more: if the loop still accepts it, the plan commits unobserved.
      window.release();
      throw e;
    }
  }

  @Override
  public void close() {
    workers.close();
    broker.close();
    loop.close();
  }
}
