package gantry.node.leader;

import gantry.v1.Evaluation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * The leader's queue of evaluations to run: highest priority first, then oldest. At most
 * one evaluation per job is out at a time (two workers on one job would race each other's
 * plans); the others wait until it is {@link #done}. Delivery is at-least-once: the queue
 * lives only in the leader's memory and is rebuilt from the replicated state's pending
 * evaluations when a peer becomes leader. An evaluation with {@code wait_until_ms} in the
 * future (a job whose allocations keep failing) is held until then.
 */
final class EvalBroker {
  private static final Comparator<Evaluation> ORDER =
      Comparator.comparingInt(Evaluation::getPriority).reversed().thenComparingLong(Evaluation::getCreateIndex);

  private final PriorityQueue<Evaluation> ready = new PriorityQueue<>(ORDER);
  private final Set<String> queued = new HashSet<>();
  private final Set<String> busyJobs = new HashSet<>();
  private boolean open;
  private final LongSupplier clock;

  EvalBroker() {
    this(System::currentTimeMillis);
  }

  /** @param clock wall time in ms, for evaluations that wait ({@code wait_until_ms}) */
  EvalBroker(LongSupplier clock) {
    this.clock = clock;
  }

  /** Starts accepting work (this peer became leader). */
  synchronized void open(List<Evaluation> pending) {
    ready.clear();
    queued.clear();
    busyJobs.clear();
    open = true;
    pending.forEach(this::enqueue);
    notifyAll();
  }

  /** Drops everything (this peer is no longer leader). */
  synchronized void close() {
    open = false;
    ready.clear();
    queued.clear();
    busyJobs.clear();
    notifyAll();
  }

  synchronized boolean isOpen() {
    return open;
  }

  synchronized void enqueue(Evaluation e) {
    if (!open || !queued.add(e.getId())) return;
    ready.add(e);
    notifyAll();
  }

  /** The next evaluation whose job has none out and whose wait is over; blocks while there is none. */
  synchronized Evaluation take() throws InterruptedException {
    while (true) {
      long wakeAt = Long.MAX_VALUE;
      if (open) {
        List<Evaluation> skipped = new ArrayList<>();
        Evaluation next = null;
        long now = clock.getAsLong();
        while (!ready.isEmpty()) {
          Evaluation e = ready.poll();
          if (e.getWaitUntilMs() > now) {
            skipped.add(e);
            wakeAt = Math.min(wakeAt, e.getWaitUntilMs());
          } else if (busyJobs.contains(e.getJob())) {
            skipped.add(e);
          } else {
            next = e;
            break;
          }
        }
        ready.addAll(skipped);
        if (next != null) {
          busyJobs.add(next.getJob());
          queued.remove(next.getId());
          return next;
        }
      }
      if (wakeAt == Long.MAX_VALUE) {
        wait();
      } else {
        wait(Math.max(1, wakeAt - clock.getAsLong()));
      }
    }
  }

  /** The evaluation taken for this job is finished (committed or abandoned). */
  synchronized void done(Evaluation e) {
    busyJobs.remove(e.getJob());
    notifyAll();
  }

  synchronized int size() {
    return ready.size();
  }
}
