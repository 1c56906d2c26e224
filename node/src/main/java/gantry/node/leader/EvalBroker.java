package gantry.node.leader;

import gantry.v1.Evaluation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * The leader's queue of evaluations to run: highest priority first, then oldest. At most
 * one evaluation per job is out at a time (two workers on one job would race each other's
 * plans); the others wait until it is {@link #done}. Delivery is at-least-once: the queue
 * lives only in the leader's memory and is rebuilt from the replicated state's pending
 * evaluations when a peer becomes leader.
 */
final class EvalBroker {
  private static final Comparator<Evaluation> ORDER =
      Comparator.comparingInt(Evaluation::getPriority).reversed().thenComparingLong(Evaluation::getCreateIndex);

  private final PriorityQueue<Evaluation> ready = new PriorityQueue<>(ORDER);
  private final Set<String> queued = new HashSet<>();
  private final Set<String> busyJobs = new HashSet<>();
  private boolean open;

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

  /** The next evaluation whose job has none out; blocks while there is none. */
  synchronized Evaluation take() throws InterruptedException {
    while (true) {
      if (open) {
        List<Evaluation> skipped = new ArrayList<>();
        Evaluation next = null;
        while (!ready.isEmpty()) {
          Evaluation e = ready.poll();
          if (busyJobs.contains(e.getJob())) {
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
      wait();
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
