package gantry.agent.driver.docker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ends of the agent's containers as the engine announces them: one long-lived
 * {@code GET /events} connection (containers labelled {@code gantry.alloc}, actions {@code die} and
 * {@code destroy}), read by one thread, so a running container is not polled between its
 * runner's passes (one per metrics interval while nothing happens to it).
 *
 * <p>Nothing is missed between a container's start and its watch, nor while the connection is
 * re-made: the feed asks for events since a cursor, first the engine's own clock when the driver
 * connected, then the time of the last event read, and the engine replays what it still holds. An
 * end that comes before its watch is kept (the last {@value #RECENT_ENDS}) and reported when the
 * watch comes. Because an engine that restarted no longer holds what happened before, every
 * watcher is told after each reconnect: its runner looks at the task again and, if it still runs,
 * watches it anew.
 */
final class EngineEvents implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EngineEvents.class);
  static final int RECENT_ENDS = 4_096;
  private static final String FILTERS = "{\"type\":[\"container\"],\"event\":[\"die\",\"destroy\"],\"label\":[\""
      + DockerDriver.LABEL_ALLOC + "\"]}";
  private static final long RETRY_FIRST_MS = 200;
  private static final long RETRY_MAX_MS = 5_000;

  private final EngineClient engine;
  private final Object lock = new Object();
  /** Container id to the callbacks waiting for its end. */
  private final Map<String, List<Runnable>> watchers = new HashMap<>();
  /** Ends no watcher was waiting for, newest last. */
  private final Map<String, Boolean> recentEnds = new LinkedHashMap<>(64, 0.75f, false) {
    @Override
    protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
      return size() > RECENT_ENDS;
    }
  };
  private final Thread reader;
  /** The engine's time to ask for events since, as seconds.nanoseconds; the reader's own. */
  private String since;
  private volatile EngineClient.Feed feed;
  private volatile boolean closed;

  private EngineEvents(EngineClient engine, String since) {
    this.engine = engine;
    this.since = since;
    this.reader = Thread.ofPlatform().daemon().name("gantry-docker-events").unstarted(this::follow);
  }

  /**
   * Starts following the engine's events from now, by the engine's clock ({@code SystemTime} of
   * {@code /info}; the agent's {@code clock} when the engine does not tell).
   */
  static EngineEvents follow(EngineClient engine, Clock clock) {
    Instant now = clock.instant();
    try {
      String systemTime = Json.stringAt(engine.call("GET", "/info", null, Duration.ofSeconds(10)), "SystemTime");
      if (systemTime != null) now = Instant.parse(systemTime);
    } catch (RuntimeException e) {
      log.debug("engine time unknown ({}); following events from the agent's clock", e.toString());
    }
    return followFrom(engine, now);
  }

  /** Starts following the engine's events from {@code since} (the engine's clock). */
  static EngineEvents followFrom(EngineClient engine, Instant since) {
    EngineEvents events = new EngineEvents(engine, cursor(since.getEpochSecond(), since.getNano()));
    events.reader.start();
    return events;
  }

  /**
   * Calls {@code onEnd} once, on the reader's thread or at once, when container {@code id} dies or
   * is removed, or when its end may have been missed (after a reconnect). False once closed.
   */
  boolean watch(String id, Runnable onEnd) {
    boolean endedAlready;
    synchronized (lock) {
      if (closed) return false;
      endedAlready = recentEnds.remove(id) != null;
      if (!endedAlready) watchers.computeIfAbsent(id, k -> new ArrayList<>(1)).add(onEnd);
    }
    if (endedAlready) onEnd.run();
    return true;
  }

  /** Drops what is held for container {@code id} (it was removed on purpose). */
  void forget(String id) {
    synchronized (lock) {
      watchers.remove(id);
      recentEnds.remove(id);
    }
  }

  /** Container {@code id} ended: tells its watchers, or keeps the end for a watch still to come. */
  void ended(String id) {
    List<Runnable> waiting;
    synchronized (lock) {
      waiting = watchers.remove(id);
      if (waiting == null) recentEnds.put(id, Boolean.TRUE);
    }
    if (waiting != null) waiting.forEach(EngineEvents::tell);
  }

  /**
   * Cuts the connection as an engine or a proxy might; the reader makes a new one (tests). False
   * when there was none open yet.
   */
  boolean cut() {
    EngineClient.Feed f = feed;
    if (f == null) return false;
    f.close();
    return true;
  }

  private void follow() {
    long retryMs = RETRY_FIRST_MS;
    boolean reconnect = false;
    while (!closed) {
      try (EngineClient.Feed f = engine.open("/events?since=" + since + "&filters=" + EngineClient.query(FILTERS))) {
        feed = f;
        if (closed) break;
        if (reconnect) tellEveryone();
        BufferedReader lines = new BufferedReader(new InputStreamReader(f.body(), StandardCharsets.UTF_8));
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
          if (!line.isBlank()) read(line);
          retryMs = RETRY_FIRST_MS;
        }
        log.debug("the engine ended its event stream; following again");
      } catch (IOException | RuntimeException e) {
        if (closed) break;
        log.debug("engine events unavailable ({}); again in {} ms", e.toString(), retryMs);
      }
      reconnect = true;
      try {
        Thread.sleep(retryMs);
      } catch (InterruptedException e) {
        break;
      }
      retryMs = Math.min(RETRY_MAX_MS, retryMs * 2);
    }
  }

  /** One event line: moves the cursor, and reports a container's end. */
  private void read(String line) {
    Object event;
    try {
      event = Json.parse(line);
    } catch (IllegalArgumentException e) {
      log.debug("not an engine event: {}", line);
      return;
    }
    Long nanos = Json.longAt(event, "timeNano");
    if (nanos != null) since = cursor(Math.floorDiv(nanos, 1_000_000_000L), (int) Math.floorMod(nanos, 1_000_000_000L));
    String action = Json.stringAt(event, "Action");
    String id = Json.stringAt(event, "Actor", "ID");
    if (id == null) id = Json.stringAt(event, "id");
    if (id != null && "container".equals(Json.stringAt(event, "Type")) && ("die".equals(action) || "destroy".equals(action))) {
      ended(id);
    }
  }

  /** After a reconnect an end may have been missed: every watcher is told, and looks again. */
  private void tellEveryone() {
    List<Runnable> all = new ArrayList<>();
    synchronized (lock) {
      watchers.values().forEach(all::addAll);
      watchers.clear();
    }
    all.forEach(EngineEvents::tell);
  }

  private static void tell(Runnable onEnd) {
    try {
      onEnd.run();
    } catch (RuntimeException e) {
      log.warn("a container's end could not be told: {}", e.toString(), e);
    }
  }

  static String cursor(long seconds, int nanos) {
    return seconds + "." + String.format("%09d", nanos);
  }

  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      watchers.clear();
    }
    EngineClient.Feed f = feed;
    if (f != null) f.close();
    reader.interrupt();
  }
}
