package gantry.node.events;

import gantry.node.state.ClusterState;
import gantry.node.state.Mutations;
import gantry.v1.Event;
import gantry.v1.EventsLost;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The events of the entries this peer applied: the last {@code capacity} of them in a ring, in
 * memory, and their subscribers.
 *
 * <p>Fed on the apply thread: {@link #recorder} wraps the entry's {@link Mutations} before replay,
 * {@link #append} adds its events once the entry is written. Appending never waits for a
 * subscriber: each reads the ring at its own position ({@link Subscription}).
 *
 * <p>What is kept: every event of the entries after {@link #oldestIndex()} - 1. That moves on when
 * the ring drops its oldest events, and jumps to the applied index when the state is loaded at
 * start or replaced by a snapshot from the leader ({@link #restart}): entries already in the store
 * are not replayed, so they make no events here. A subscriber asking for older events is told so
 * first (EventsLost) and served from the oldest kept.
 *
 * <p>Thread-safe: one lock guards the ring and every subscription's position; what the service
 * topic compares with is the apply thread's alone.
 */
public final class EventLog implements AutoCloseable {
  public static final int DEFAULT_CAPACITY = 50_000;
  /** Most events one read hands to a subscriber, so the lock is never held long. */
  static final int BATCH = 256;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition appended = lock.newCondition();
  private final Event[] ring;
  /** Sequence numbers of the oldest kept event and of the next one: kept are [firstSeq, nextSeq). */
  private long firstSeq;
  private long nextSeq;
  /** Events of entries up to this index are not all kept. */
  private long floor;
  private final Set<Subscription> live = new HashSet<>();
  /** Why new subscriptions are refused (null: they are not). */
  private String closed;
  /** What the service topic compares each entry with; apply thread only, outside the lock. */
  private final ServiceEvents services = new ServiceEvents();

  public EventLog(int capacity) {
    if (capacity <= 0) throw new IllegalArgumentException("capacity must be positive, got " + capacity);
    this.ring = new Event[capacity];
  }

  /** Wraps the Mutations of the entry at {@code index}: replay writes there, and its events are recorded. */
  public EventRecorder recorder(long index, Mutations out) {
    return new EventRecorder(index, out);
  }

  /**
   * Adds the events of an applied entry, then its service events ({@link ServiceEvents}); entries
   * come in index order, on the apply thread, with {@code state} as the entry left it.
   */
  public void append(EventRecorder entry, ClusterState state) {
    List<Event> events = entry.events();
    List<Event> service = services.changes(entry.index(), entry.allocationsWritten(), entry.nodesWritten(), state);
    if (!service.isEmpty()) {
      events = new ArrayList<>(events);
      events.addAll(service);
    }
    if (events.isEmpty()) return;
    lock.lock();
    try {
      for (Event e : events) {
        if (nextSeq - firstSeq == ring.length) {
          int oldest = slot(firstSeq++);
          floor = Math.max(floor, ring[oldest].getIndex());
          ring[oldest] = null;
        }
        ring[slot(nextSeq++)] = e;
      }
      appended.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /**
   * The state was loaded as of {@code index} (at start, or from a snapshot the leader sent): the
   * events of the entries up to it are not kept here, and the service events start again from
   * what {@code state} serves. Live subscriptions end (they would
   * otherwise miss those entries without a word); they reconnect and are told what is lost.
   */
  public void restart(long index, ClusterState state) {
    services.reset(state);
    lock.lock();
    try {
      for (long s = firstSeq; s < nextSeq; s++) ring[slot(s)] = null;
      firstSeq = nextSeq;
      floor = Math.max(floor, index);
      endAll(new StreamEnded(StreamEnded.Reason.STATE_REPLACED, "this manager replaced its state with a snapshot at index "
          + index + " and has no events from before it; watch again from your last index (another manager may have them)"));
    } finally {
      lock.unlock();
    }
  }

  /**
   * Follows the events matching {@code filter}.
   *
   * @param index 0: from the next entry on; N: every kept event of the entries after N, with an
   *     EventsLost notice first when those are not all kept
   * @throws IllegalStateException when the log is closed (the peer shuts down)
   */
  public Subscription subscribe(EventFilter filter, long index) {
    lock.lock();
    try {
      if (closed != null) throw new IllegalStateException(closed);
      Subscription s;
      if (index <= 0) {
        s = new Subscription(this, filter, nextSeq, null, 0);
      } else if (index < floor) {
        EventsLost lost = EventsLost.newBuilder().setRequestedIndex(index).setOldestIndex(floor + 1)
            .setMessage("events after index " + index + " are no longer all kept on this manager (it keeps those after "
                + floor + "); going on from index " + (floor + 1)).build();
        s = new Subscription(this, filter, firstAfter(floor), lost, floor);
      } else {
        s = new Subscription(this, filter, firstAfter(index), null, index);
      }
      live.add(s);
      return s;
    } finally {
      lock.unlock();
    }
  }

  /** The oldest index whose entry's events are all kept (those of every later entry are too). */
  public long oldestIndex() {
    lock.lock();
    try {
      return floor + 1;
    } finally {
      lock.unlock();
    }
  }

  /** How many subscriptions are open. */
  public int subscribers() {
    lock.lock();
    try {
      return live.size();
    } finally {
      lock.unlock();
    }
  }

  /** Ends every subscription (StreamEnded CLOSED) and refuses new ones: the peer shuts down. */
  @Override
  public void close() {
    close("this manager is shutting down; watch again at another one");
  }

  /**
   * Ends every subscription (StreamEnded CLOSED) and refuses new ones, saying {@code why}: the peer
   * shuts down, or its state is found to differ from the cluster's (then its events do too).
   */
  public void close(String why) {
    lock.lock();
    try {
      if (closed == null) closed = why;
      endAll(new StreamEnded(StreamEnded.Reason.CLOSED, closed));
    } finally {
      lock.unlock();
    }
  }

  /**
   * The next events at {@code s}'s position, waiting until {@code deadlineNanos} (System.nanoTime)
   * for one; empty when none came.
   */
  List<Event> read(Subscription s, long deadlineNanos) throws InterruptedException {
    lock.lock();
    try {
      while (true) {
        check(s);
        if (s.cursor < nextSeq) break;
        long left = deadlineNanos - System.nanoTime();
        if (left <= 0) return List.of();
        appended.awaitNanos(left);
      }
      int n = (int) Math.min(BATCH, nextSeq - s.cursor);
      Event[] out = new Event[n];
      for (int i = 0; i < n; i++) out[i] = ring[slot(s.cursor + i)];
      s.cursor += n;
      return List.of(out);
    } finally {
      lock.unlock();
    }
  }

  /** Throws the reason {@code s} ended, ending it first if it fell behind. */
  void check(Subscription s) {
    lock.lock();
    try {
      if (s.ended != null) throw s.ended;
      if (s.cursor < firstSeq) {
        end(s, new StreamEnded(StreamEnded.Reason.FELL_BEHIND, "this stream fell more than " + ring.length
            + " events behind this manager and it no longer has some it did not send; watch again from the index of"
            + " the last event received (" + s.lastIndex() + " at most)"));
        throw s.ended;
      }
    } finally {
      lock.unlock();
    }
  }

  void end(Subscription s, StreamEnded why) {
    lock.lock();
    try {
      if (s.ended == null) s.ended = why;
      live.remove(s);
      appended.signalAll();
    } finally {
      lock.unlock();
    }
  }

  private void endAll(StreamEnded why) {
    for (Subscription s : List.copyOf(live)) end(s, why);
  }

  /** The sequence number of the first kept event of an entry after {@code index} (nextSeq if none). */
  private long firstAfter(long index) {
    long lo = firstSeq;
    long hi = nextSeq;
    while (lo < hi) {
      long mid = (lo + hi) >>> 1;
      if (ring[slot(mid)].getIndex() <= index) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private int slot(long seq) {
    return (int) (seq % ring.length);
  }
}
