package gantry.cli.command;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import gantry.client.ControlClient;
import gantry.v1.Event;
import gantry.v1.WatchEventsRequest;
import gantry.v1.WatchEventsResponse;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;

/**
 * Follows WatchEvents for {@code gantry events}, printing each event as one line of protobuf JSON,
 * and an EventsLost notice as {@code {"lost": {...}}} with a warning on stderr.
 *
 * <p>When the stream fails (the manager stops, falls over, or ends the stream because this reader
 * fell behind) it is opened again at the next listed manager, from the last index seen, so nothing
 * is printed twice and nothing is skipped without a lost notice. The events of one entry are the
 * same, in the same order, on every manager: reconnecting, it asks for the entries after the one
 * before the last it saw and skips the events of the last entry it already printed (the stream may
 * have broken in the middle of an entry).
 *
 * <p>If no listed manager answers and none ever did, it fails at once (exit 1); once one has (a
 * message, or a stream that stayed open) it waits out an outage of up to {@link #UNREACHABLE_LIMIT}
 * (a leader election, a restart).
 * INVALID_ARGUMENT (a bad topic) is the user's (exit 2). A stream the server ends without an error
 * ends the command (exit 0). Before the first event there is no index to go back to: a
 * reconnection then follows from the moment it connects.
 */
final class EventFollow {
  static final Duration UNREACHABLE_LIMIT = Duration.ofSeconds(30);
  private static final long RETRY_PAUSE_MS = 500;
  private static final Duration OPEN_IS_ANSWER = Duration.ofSeconds(2);
  private static final JsonFormat.Printer LINE = JsonFormat.printer().omittingInsignificantWhitespace();

  private final ControlClient control;
  private final PrintWriter out;
  private final PrintWriter err;
  /** The index of the last event printed (0: none), and how many of that entry's events were printed. */
  private long lastIndex;
  private int printedAtLast;
  /** Whether any manager ever answered. */
  private boolean answered;

  EventFollow(ControlClient control, PrintWriter out, PrintWriter err) {
    this.control = control;
    this.out = out;
    this.err = err;
  }

  void follow(List<String> topics, String key, long index) {
    List<String> addresses = control.addresses();
    int at = 0;
    int failuresInARow = 0;
    long downSince = 0;
    while (true) {
      String address = addresses.get(at);
      // Back to the entry before the last one seen, skipping what was printed of that one.
      long ask = lastIndex == 0 ? index : lastIndex >= 2 ? lastIndex - 1 : lastIndex;
      int skip = lastIndex >= 2 ? printedAtLast : 0;
      WatchEventsRequest req = WatchEventsRequest.newBuilder().addAllTopics(topics).setKey(key).setIndex(ask).build();
      long opened = System.nanoTime();
      Context.CancellableContext call = Context.current().withCancellation();
      Context previous = call.attach();
      try {
        Iterator<WatchEventsResponse> stream = control.streamingStub(address).watchEvents(req);
        while (stream.hasNext()) {
          WatchEventsResponse r = stream.next();
          failuresInARow = 0;
          answered = true;
          if (r.hasEvent() && r.getEvent().getIndex() == lastIndex && skip > 0) {
            skip--;
            continue;
          }
          print(r);
        }
        return;
      } catch (StatusRuntimeException e) {
        Status.Code code = e.getStatus().getCode();
        if (!passes(code)) throw e;
        // A stream that stayed open a while was an answer, even if nothing happened on it.
        if (System.nanoTime() - opened > OPEN_IS_ANSWER.toNanos()) {
          failuresInARow = 0;
          answered = true;
        }
        if (failuresInARow++ == 0) downSince = System.nanoTime();
        if (failuresInARow >= addresses.size()) {
          if (!answered) throw Failure.failed(unreachable(addresses, e));
          if (System.nanoTime() - downSince >= UNREACHABLE_LIMIT.toNanos()) {
            throw Failure.failed(unreachable(addresses, e) + " for " + UNREACHABLE_LIMIT.toSeconds()
                + " s; the last event seen was at index " + lastIndex + " (gantry events --index " + lastIndex
                + " goes on after it)");
          }
          pause();
        }
        at = (at + 1) % addresses.size();
        err.println("note: the event stream from " + address + " ended (" + code + ": " + e.getStatus().getDescription()
            + "); following from " + addresses.get(at) + (lastIndex == 0 ? "" : " after index " + lastIndex));
        err.flush();
      } finally {
        call.detach(previous);
        call.cancel(null);
      }
    }
  }

  private void print(WatchEventsResponse r) {
    if (r.hasEvent()) {
      Event e = r.getEvent();
      printedAtLast = e.getIndex() == lastIndex ? printedAtLast + 1 : 1;
      lastIndex = e.getIndex();
      out.println(line(e));
    } else if (r.hasLost()) {
      out.println(line(r));
      err.println("warning: events were lost: " + r.getLost().getMessage());
      err.flush();
    }
    out.flush();
  }

  /** Failures another manager, or a new stream, may not have: anything else ends the command. */
  private static boolean passes(Status.Code code) {
    return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED || code == Status.Code.RESOURCE_EXHAUSTED
        || code == Status.Code.ABORTED;
  }

  private static String unreachable(List<String> addresses, StatusRuntimeException last) {
    return "no manager answered at " + String.join(",", addresses) + " (last error: " + last.getStatus().getCode()
        + (last.getStatus().getDescription() == null ? "" : ": " + last.getStatus().getDescription()) + ")";
  }

  private static void pause() {
    try {
      Thread.sleep(RETRY_PAUSE_MS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw Failure.failed("interrupted");
    }
  }

  static String line(MessageOrBuilder m) {
    try {
      return LINE.print(m);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + m.getClass().getSimpleName() + " as JSON", e);
    }
  }
}
