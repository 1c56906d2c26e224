package gantry.node.http;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import gantry.node.control.ControlException;
import gantry.node.events.EventFilter;
import gantry.node.events.EventLog;
import gantry.node.events.StreamEnded;
import gantry.node.events.Subscription;
import gantry.node.events.Topic;
import gantry.v1.WatchEventsResponse;
import io.javalin.http.Context;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code GET /v1/event/stream?topic=T&topic=U&key=K&index=N}: WatchEvents as NDJSON, one JSON
 * object per line, flushed line by line, until the client goes away. The lines are what
 * {@code gantry events} prints:
 *
 * <ul>
 *   <li>an event: the Event message in protobuf JSON, on one line
 *       ({@code {"index":"42","topic":"job","type":"JobRegistered","key":"web","job":{...}}});
 *   <li>{@code {"lost":{"requestedIndex":..,"oldestIndex":..,"message":..}}}: only as the first
 *       line, when the events after {@code index} are no longer all kept here;
 *   <li>{@code {}}: a heartbeat every {@link #HEARTBEAT_MS} while nothing happens, so proxies keep
 *       the connection and the server notices a client that left;
 *   <li>{@code {"error":"..."}}: the last line, when the server ends the stream (it fell behind,
 *       the peer shuts down or replaced its state): reconnect with the index of the last event.
 * </ul>
 *
 * <p>The status (200, or 400 naming {@code topic} or {@code index}) is decided before the first line.
 */
final class EventStream {
  static final String CONTENT_TYPE = "application/x-ndjson";
  static final long HEARTBEAT_MS = 10_000;
  private static final JsonFormat.Printer LINE = JsonFormat.printer().omittingInsignificantWhitespace();

  private final EventLog events;

  EventStream(EventLog events) {
    this.events = events;
  }

  void handle(Context ctx) throws IOException, InterruptedException {
    EventFilter filter = new EventFilter(Topic.parse(ctx.queryParams("topic"), "topic"), query(ctx, "key"));
    long index = index(ctx);
    try (Subscription subscription = events.subscribe(filter, index)) {
      // The servlet's own stream, not Javalin's result: nothing buffers or compresses a line.
      HttpServletResponse res = ctx.res();
      res.setStatus(200);
      res.setContentType(CONTENT_TYPE);
      res.setCharacterEncoding("utf-8");
      OutputStream out = res.getOutputStream();
      out.flush(); // the status line and headers go out now, before the first event
      try {
        while (true) {
          List<WatchEventsResponse> batch = subscription.next(HEARTBEAT_MS);
          if (batch.isEmpty()) write(out, "{}");
          for (WatchEventsResponse r : batch) write(out, line(r));
          out.flush();
        }
      } catch (StreamEnded e) {
        write(out, print(Struct.newBuilder().putFields("error", Value.newBuilder().setStringValue(e.getMessage()).build())));
        out.flush();
      }
    } catch (IOException clientLeft) {
      // The client closed the connection: its subscription is closed above, nothing else to do.
    }
  }

  /** One line of the stream: the event itself, or {@code {"lost": ...}}. */
  static String line(WatchEventsResponse r) {
    return r.hasEvent() ? print(r.getEvent()) : print(r);
  }

  private static String print(MessageOrBuilder m) {
    try {
      return LINE.print(m);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("cannot print " + m.getClass().getSimpleName() + " as JSON", e);
    }
  }

  private static void write(OutputStream out, String line) throws IOException {
    out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
  }

  private static String query(Context ctx, String name) {
    String v = ctx.queryParam(name);
    return v == null ? "" : v;
  }

  private static long index(Context ctx) {
    String v = query(ctx, "index").trim();
    if (v.isEmpty()) return 0;
    try {
      long n = Long.parseLong(v);
      if (n >= 0) return n;
    } catch (NumberFormatException e) {
      // said below
    }
    throw new ControlException(ControlException.Code.INVALID_ARGUMENT, "index: expected a Raft index (0 or more), got \"" + v + "\"");
  }
}
