package gantry.node.leader;

import gantry.node.state.ClusterState;
import gantry.scheduler.Plan;
import gantry.scheduler.Scheduler;
import gantry.v1.Evaluation;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Threads that take evaluations from the broker, run the pure scheduler on a snapshot of
 * the applied state and hand the plan to the applier. A failed commit puts the evaluation
 * back (at-least-once); a deposed leader's workers drop what they hold.
 */
final class SchedulerWorkers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SchedulerWorkers.class);

  private final EvalBroker broker;
  private final ClusterState state;
  private final Snapshots snapshots;
  private final PlanApplier applier;
  private final BooleanSupplier leader;
  private final Scheduler scheduler = new Scheduler();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean closed;

  SchedulerWorkers(int count, EvalBroker broker, ClusterState state, Snapshots snapshots, PlanApplier applier,
      BooleanSupplier leader) {
    this.broker = broker;
    this.state = state;
    this.snapshots = snapshots;
    this.applier = applier;
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
      boolean retry = false;
      try {
        Evaluation current = state.eval(e.getId()).orElse(e);
        // A deposed leader drops its work; an evaluation may also have been completed by an earlier delivery.
        if (leader.getAsBoolean() && current.getStatus() == gantry.v1.EvalStatus.EVAL_STATUS_PENDING) {
          Plan plan = scheduler.schedule(snapshots.of(state), current);
          applier.apply(current, plan);
        }
      } catch (InterruptedException ie) {
        broker.done(e);
        return;
      } catch (Exception ex) {
        LOG.warn("evaluation {} of job {} failed, will retry: {}", e.getId(), e.getJob(), ex.toString());
        retry = true;
      }
      broker.done(e);
      if (retry) {
        sleepQuietly(200);
        broker.enqueue(e);
      }
    }
  }

  private static void sleepQuietly(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    closed = true;
    threads.forEach(Thread::interrupt);
  }
}
