package gantry.chaos.history;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A thread-safe log of completed operations. Times are nanoseconds since {@code origin}
 * (a {@link System#nanoTime()} value), so every op and fault window shares one clock.
 */
public final class History {
  private final long origin;
  private final AtomicLong ids = new AtomicLong();
  private final List<Op> ops = new ArrayList<>();

  public History(long origin) {
    this.origin = origin;
  }

  public long now() {
    return System.nanoTime() - origin;
  }

  public long nextId() {
    return ids.incrementAndGet();
  }

  public synchronized void add(Op op) {
    ops.add(op);
  }

  /** Every op so far, by invoke time. */
  public synchronized List<Op> ops() {
    List<Op> copy = new ArrayList<>(ops);
    copy.sort(Comparator.comparingLong(Op::invokeNanos).thenComparingLong(Op::id));
    return List.copyOf(copy);
  }
}
