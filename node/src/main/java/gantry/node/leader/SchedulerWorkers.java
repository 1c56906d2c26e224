package gantry.node.leader;

import gantry.node.state.ClusterState;
import gantry.scheduler.ClusterSnapshot;
import gantry.scheduler.Plan;
import gantry.scheduler.Scheduler;
import gantry.v1.EvalStatus;
import gantry.v1.Evaluation;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Threads that take evaluations from the broker, run the pure scheduler on a snapshot of the
 * {@link SchedulingView} and hand the plan to the leader's loop (its plan applier). A worker moves on as soon as its
 * plan is accepted; the evaluation is {@linkplain EvalBroker#done done} (its job free for the
 * next one) when the plan's entry is applied. A failed evaluation or commit puts the
 * evaluation back after a short pause (at-least-once); a deposed leader's workers drop what
 * they hold.
 */
final class SchedulerWorkers implements AutoCloseable {
  /** Where a plan goes: returns once it is accepted into the view, with the future of its commit. */
  interface PlanSink {
    CompletableFuture<Long> submit(Evaluation eval, Plan plan) throws InterruptedException;
  }

  private static final Logger LOG = LoggerFactory.getLogger(SchedulerWorkers.class);
  private static final Executor RETRY = CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS);

  private final EvalBroker broker;
  private final Supplier<ClusterState> state;
  private final SchedulingView view;
  private final PlanSink sink;
  private final PipelineStats stats;
  private final BooleanSupplier leader;
  private final Scheduler scheduler = new Scheduler();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean closed;

  SchedulerWorkers(int count, EvalBroker broker, Supplier<ClusterState> state, SchedulingView view,
      PlanSink sink, PipelineStats stats, BooleanSupplier leader) {
    this.broker = broker;
    this.state = state;
    this.view = view;
    this.sink = sink;
    this.stats = stats;
    this.leader = leader;
    for (int i = 0; i < count; i++) {
      threads.add(Thread.ofPlatform().daemon().name("gantry-scheduler-" + i).start(this::run));
    }
  }

  private void run() {
    while (!closed) {
      Evaluation e;
      try {
        e = broker.take();
      } catch (InterruptedException ie) {
        return;
      }
      try {
        Evaluation current = state.get().eval(e.getId()).orElse(e);
        // A deposed leader drops its work; an evaluation may also have been completed by an earlier delivery.
        if (!leader.getAsBoolean() || current.getStatus() != EvalStatus.EVAL_STATUS_PENDING) {
          broker.done(e);
          continue;
        }
        long t0 = System.nanoTime();
        ClusterSnapshot snap = view.snapshot(current.getJob());
        stats.add(PipelineStats.Stage.SNAPSHOT, t0);
        long t1 = System.nanoTime();
        Plan plan = scheduler.schedule(snap, current);
        stats.add(PipelineStats.Stage.SCHEDULE, t1);
        sink.submit(current, plan).whenComplete((index, err) -> finished(e, err));
      } catch (InterruptedException ie) {
        broker.done(e);
        return;
      } catch (RuntimeException ex) {
        finished(e, ex);
      }
    }
  }

  private void finished(Evaluation e, Throwable err) {
    broker.done(e);
    if (err == null) return;
    LOG.warn("evaluation {} of job {} failed, will retry: {}", e.getId(), e.getJob(), err.toString());
    CompletableFuture.runAsync(() -> broker.enqueue(e), RETRY);
  }

  @Override
  public void close() {
    closed = true;
    threads.forEach(Thread::interrupt);
  }
}
