package gantry.node.events;

import gantry.v1.Event;
import gantry.v1.EventsLost;
import gantry.v1.WatchEventsResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * One subscriber's position in an {@link EventLog}: a sequence number into its ring, so the
 * backlog and the live events are one ordered run, read by the subscriber's own thread with
 * {@link #next}. Nothing is copied per subscriber and nothing waits for one: its queue is the
 * shared ring, bounded; one that falls a whole ring behind is ended ({@link StreamEnded.Reason#FELL_BEHIND}).
 */
public final class Subscription implements AutoCloseable {
  private final EventLog log;
  private final EventFilter filter;
  /** Sequence number of the next event to look at; guarded by the log's lock. */
  long cursor;
  /** Set once when it ended on the server's side or was cancelled; guarded by the log's lock. */
  StreamEnded ended;
  /** The notice to send first, or null; touched by the subscriber's thread only. */
  private EventsLost lost;
  /** Events of entries up to this index are not wanted (a subscriber ahead of this peer waits for the later ones). */
  private final long after;
  /** The index of the last event handed out (filtered or not), for the messages. */
  private long lastIndex;

  Subscription(EventLog log, EventFilter filter, long cursor, EventsLost lost, long after) {
    this.log = log;
    this.filter = filter;
    this.cursor = cursor;
    this.lost = lost;
    this.after = after;
    this.lastIndex = after;
  }

  /**
   * The next responses, in index order: the EventsLost notice first if there is one, then the
   * matching events. Waits up to {@code waitMs} for one and returns an empty list if none came.
   *
   * @throws StreamEnded when the subscription ended (fell behind, the peer closes or replaced its state, cancelled)
   */
  public List<WatchEventsResponse> next(long waitMs) throws InterruptedException {
    List<WatchEventsResponse> out = new ArrayList<>();
    if (lost != null) {
      out.add(WatchEventsResponse.newBuilder().setLost(lost).build());
      lost = null;
      return out;
    }
    long deadline = System.nanoTime() + waitMs * 1_000_000;
    while (out.isEmpty()) {
      List<Event> batch = log.read(this, deadline);
      if (batch.isEmpty()) return out;
      for (Event e : batch) {
        if (e.getIndex() > after && filter.matches(e)) out.add(WatchEventsResponse.newBuilder().setEvent(e).build());
      }
      lastIndex = Math.max(lastIndex, batch.getLast().getIndex());
    }
    return out;
  }

  /**
   * Throws if the subscription ended or has fallen a whole ring behind (which ends it): for a
   * sender that holds events it cannot send yet and would otherwise not look again.
   *
   * @throws StreamEnded as {@link #next} would
   */
  public void check() {
    log.check(this);
  }

  /** The index of the last event this subscription went past. */
  public long lastIndex() {
    return lastIndex;
  }

  /** Stops it; a {@link #next} waiting on another thread returns at once (StreamEnded CANCELLED). */
  public void cancel() {
    log.end(this, new StreamEnded(StreamEnded.Reason.CANCELLED, "cancelled"));
  }

  @Override
  public void close() {
    cancel();
  }
}
