package gantry.agent.session;

import gantry.v1.AgentMessage;
import gantry.v1.AllocationStatusUpdate;
import gantry.v1.AllocationUpdates;
import gantry.v1.Assignments;
import gantry.v1.Heartbeat;
import gantry.v1.LogsReply;
import gantry.v1.LogsRequest;
import gantry.v1.ManagerMessage;
import gantry.v1.Node;
import gantry.v1.RegisterNodeRequest;
import gantry.v1.RegisterNodeResponse;
import gantry.v1.SessionOpen;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's session with the managers: Register (following a follower's redirect to the leader), then one
 * Session stream with the leader: {@code open} first, heartbeats every TTL/3, status updates
 * batched for {@code flushDelay}, and the full status of every allocation after each (re)connect.
 * Assignments go to the {@link SessionHandler}. When the stream breaks or a peer says
 * {@code not_leader}, the session registers again (the last leader first, then the servers in
 * turn, see {@link ServerRotation}); the workloads are not touched.
 *
 * <p>Contact: registration and every message from a manager. A manager that acknowledges
 * heartbeats must keep talking: three TTLs of silence break the stream. Until the first
 * acknowledgement (on any session of this agent), each heartbeat sent on the open stream also
 * counts as contact.
 *
 * <p>Every timer runs on a shared {@link ScheduledExecutorService} and the transport is
 * asynchronous, so a session costs no thread. Callbacks of an old stream or registration carry an
 * older epoch and are ignored. {@link #lastContact()} is the last time a manager answered, for
 * fencing.
 */
public final class AgentSession implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(AgentSession.class);

  /** Tunables. {@code heartbeatInterval} zero means TTL/3. */
  public record Settings(List<String> servers, Duration defaultTtl, Duration heartbeatInterval,
      Duration registerTimeout, Duration initialBackoff, Duration maxBackoff, Duration flushDelay) {
    public Settings {
      servers = List.copyOf(servers);
    }

    public static Settings of(List<String> servers) {
      return new Settings(servers, Duration.ofSeconds(3), Duration.ZERO, Duration.ofSeconds(5),
          Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ofMillis(100));
    }
  }

  private final Settings settings;
  private final Node node;
  private final ManagerTransport transport;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final SessionHandler handler;
  private final ServerRotation rotation;
  private final UpdateBuffer buffer = new UpdateBuffer();

  private final Object lock = new Object();
  /**
   * Held while assignments are handed to the handler, outside {@link #lock} (the handler may
   * take a while). A message checks its epoch again under it, so one of a stream that has since
   * been replaced never reaches the handler after the next stream's first whole set: a delta
   * from the old stream applied on top of it could start what the new set no longer holds.
   * Taken before {@link #lock}, never after.
   */
  private final Object delivery = new Object();
  // Volatile for report(), which reads it without the lock; written under the lock.
  private volatile ConnectionState state = ConnectionState.IDLE;
  private long epoch;
  private String address;
  private ManagerTransport.SessionStream stream;
  private Duration ttl;
  private ScheduledFuture<?> heartbeat;
  private ScheduledFuture<?> retry;
  private final AtomicBoolean flushScheduled = new AtomicBoolean();
  /** The managers acknowledge heartbeats (seen on any session of this agent so far). */
  private boolean acksSeen;
  private Instant lastMessageAt;
  private volatile Instant lastContact;
  private volatile String nodeId;
  private volatile int opens;

  public AgentSession(Settings settings, Node node, ManagerTransport transport, ScheduledExecutorService scheduler,
      Clock clock, SessionHandler handler) {
    this.settings = settings;
    this.node = node;
    this.nodeId = node.getId();
    this.transport = transport;
    this.scheduler = scheduler;
    this.clock = clock;
    this.handler = handler;
    this.rotation = new ServerRotation(settings.servers(), settings.initialBackoff(), settings.maxBackoff());
    this.ttl = settings.defaultTtl();
    this.lastContact = clock.instant();
  }

  public void start() {
    synchronized (lock) {
      state = state.to(ConnectionState.REGISTERING);
      attempt();
    }
  }

  /** The last time a manager answered (registration, any stream message); the start time before. */
  public Instant lastContact() {
    return lastContact;
  }

  public ConnectionState state() {
    synchronized (lock) {
      return state;
    }
  }

  /** The manager of the open session, or the one being tried. */
  public String address() {
    synchronized (lock) {
      return address;
    }
  }

  public String nodeId() {
    return nodeId;
  }

  /** How many sessions were opened so far (1 after the first, +1 per reconnect). */
  public int opens() {
    return opens;
  }

  /**
   * Queues a status update; it goes up within {@code flushDelay} while a session is open. Takes
   * no lock: the callers are the allocations' own (virtual) threads, and one of them holding the
   * session's lock while it waited for a carrier thread blocked the timer thread that sends every
   * session's heartbeats (10,000 simulated nodes in one process all went silent, and down, with
   * a million allocations reporting). An update that misses the open session goes up with the
   * full status the next session sends.
   */
  public void report(AllocationStatusUpdate update) {
    buffer.put(update);
    if (state == ConnectionState.OPEN && flushScheduled.compareAndSet(false, true)) {
      scheduler.schedule(this::flush, settings.flushDelay().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void attempt() {
    long e = ++epoch;
    String target = rotation.next();
    address = target;
    RegisterNodeRequest req = RegisterNodeRequest.newBuilder().setNode(node.toBuilder().setId(nodeId)).build();
    transport.register(target, req, settings.registerTimeout())
        .whenComplete((r, t) -> onRegistered(e, target, r, t));
  }

  private void onRegistered(long e, String target, RegisterNodeResponse r, Throwable t) {
    synchronized (lock) {
      if (e != epoch || state != ConnectionState.REGISTERING) {
        return;
      }
      if (t != null) {
        Throwable cause = unwrap(t);
        if (cause instanceof NotLeaderException nl) {
          log.debug("{}: {} is not the leader (leader={})", node.getName(), target, nl.leader());
          retryAfter(rotation.redirected(nl.leader()));
        } else if (cause instanceof RefusedException refused) {
          log.warn("{}: {} refused to register this node: {}", node.getName(), target, refused.getMessage());
          retryAfter(rotation.failed());
        } else {
          log.debug("{}: register with {} failed: {}", node.getName(), target, cause.toString());
          retryAfter(rotation.failed());
        }
        return;
      }
      touch();
      if (!r.getNodeId().isEmpty()) {
        nodeId = r.getNodeId();
      }
      if (r.getHeartbeatTtlMs() > 0) {
        ttl = Duration.ofMillis(r.getHeartbeatTtlMs());
      }
      // acksSeen is not reset: managers that acknowledged heartbeats once keep doing so, and a
      // silent partition right after a reconnect must not count each unanswered heartbeat as contact.
      lastMessageAt = clock.instant();
      stream = transport.openSession(target, listener(e));
      stream.send(AgentMessage.newBuilder().setOpen(SessionOpen.newBuilder().setNodeId(nodeId).setAcceptsDeltas(true))
          .build());
      state = state.to(ConnectionState.OPEN);
      rotation.opened(target);
      opens++;
      log.info("{}: session open with {} (node {})", node.getName(), target, nodeId);
      scheduleHeartbeat();
      // Updates queued while disconnected may have been lost with the old stream: send everything.
      buffer.drain();
      List<AllocationStatusUpdate> all = handler.currentStatus();
      if (!all.isEmpty()) {
        stream.send(AgentMessage.newBuilder().setUpdates(AllocationUpdates.newBuilder().addAllUpdates(all)).build());
      }
    }
  }

  private ManagerTransport.StreamListener listener(long e) {
    return new ManagerTransport.StreamListener() {
      @Override
      public void onMessage(ManagerMessage m) {
        Assignments deliver = null;
        LogsRequest logs = null;
        synchronized (lock) {
          if (e != epoch || state != ConnectionState.OPEN) {
            return;
          }
          touch();
          lastMessageAt = clock.instant();
          switch (m.getKindCase()) {
            case ASSIGNMENTS -> deliver = m.getAssignments();
            case NOT_LEADER -> {
              String leader = m.getNotLeader().getLeaderGrpcAddress();
              log.info("{}: {} is no longer the leader (leader={})", node.getName(), address, leader);
              dropStream();
              retryAfter(rotation.redirected(leader));
            }
            case HEARTBEAT_ACK -> {
              acksSeen = true;
              long ms = m.getHeartbeatAck().getHeartbeatTtlMs();
              if (ms > 0 && ms != ttl.toMillis()) {
                ttl = Duration.ofMillis(ms);
                scheduleHeartbeat();
              }
            }
            case LOGS_REQUEST -> logs = m.getLogsRequest();
            case KIND_NOT_SET -> { }
          }
        }
        if (deliver != null) {
          // Outside the lock: gRPC delivers one message of a call at a time, so order holds.
          synchronized (delivery) {
            boolean current;
            synchronized (lock) {
              current = e == epoch && state == ConnectionState.OPEN;
            }
            if (current) {
              handler.onAssignments(deliver);
            }
          }
        }
        if (logs != null) {
          answerLogs(e, logs);
        }
      }

      @Override
      public void onClosed(String reason, String leaderHint) {
        synchronized (lock) {
          if (e != epoch || state != ConnectionState.OPEN) {
            return;
          }
          log.info("{}: session with {} ended: {}", node.getName(), address, reason);
          dropStream();
          retryAfter(leaderHint != null ? rotation.redirected(leaderHint) : rotation.broken());
        }
      }
    };
  }

  /** Reads the logs on a thread of their own (a driver may take seconds) and answers on the same stream. */
  private void answerLogs(long e, LogsRequest request) {
    Thread.startVirtualThread(() -> {
      LogsReply reply;
      try {
        reply = handler.logs(request);
      } catch (RuntimeException ex) {
        reply = LogsReply.newBuilder().setError("agent " + node.getName() + ": " + ex).build();
      }
      reply = reply.toBuilder().setRequestId(request.getRequestId()).build();
      synchronized (lock) {
        if (e != epoch || state != ConnectionState.OPEN) {
          return; // that stream is gone; the leader's request times out
        }
        try {
          stream.send(AgentMessage.newBuilder().setLogs(reply).build());
        } catch (RuntimeException ex) {
          log.debug("logs reply: {}", ex.toString());
        }
      }
    });
  }

  /** Tries again after {@code delay} (at once when zero). Caller holds the lock. */
  private void retryAfter(Duration delay) {
    long e = ++epoch;
    if (delay.isZero()) {
      if (state != ConnectionState.REGISTERING) {
        state = state.to(ConnectionState.REGISTERING);
      }
      attempt();
      return;
    }
    if (state != ConnectionState.WAITING) {
      state = state.to(ConnectionState.WAITING);
    }
    retry = scheduler.schedule(() -> {
      synchronized (lock) {
        if (e == epoch && state == ConnectionState.WAITING) {
          state = state.to(ConnectionState.REGISTERING);
          attempt();
        }
      }
    }, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void scheduleHeartbeat() {
    if (heartbeat != null) {
      heartbeat.cancel(false);
    }
    Duration every = settings.heartbeatInterval().isZero() ? ttl.dividedBy(3) : settings.heartbeatInterval();
    long ms = Math.max(10, every.toMillis());
    long e = epoch;
    heartbeat = scheduler.scheduleAtFixedRate(() -> beat(e), ms, ms, TimeUnit.MILLISECONDS);
  }

  private void beat(long e) {
    synchronized (lock) {
      if (e != epoch || state != ConnectionState.OPEN) {
        return;
      }
      // A manager that acknowledges heartbeats and has gone quiet for 3 TTLs is a silent
      // partition (no RST ever arrives): treat it as a broken stream.
      if (acksSeen && Duration.between(lastMessageAt, clock.instant()).compareTo(ttl.multipliedBy(3)) > 0) {
        log.info("{}: no answer from {} for {} ms; reconnecting", node.getName(), address,
            Duration.between(lastMessageAt, clock.instant()).toMillis());
        dropStream();
        retryAfter(rotation.broken());
        return;
      }
      if (!acksSeen) {
        // A manager that never acknowledges heartbeats: an open stream is the only sign of life
        // there is, so it counts as contact (or fencing would stop healthy allocations).
        touch();
      }
      try {
        stream.send(AgentMessage.newBuilder().setHeartbeat(Heartbeat.newBuilder().setMetrics(handler.nodeMetrics()))
            .build());
      } catch (RuntimeException ex) {
        log.debug("heartbeat: {}", ex.toString());
      }
    }
  }

  private void flush() {
    synchronized (lock) {
      flushScheduled.set(false);
      if (state != ConnectionState.OPEN) {
        return; // the full status goes up when the next session opens
      }
      List<AllocationStatusUpdate> batch = buffer.drain();
      if (!batch.isEmpty()) {
        stream.send(AgentMessage.newBuilder().setUpdates(AllocationUpdates.newBuilder().addAllUpdates(batch)).build());
      }
    }
  }

  private void touch() {
    lastContact = clock.instant();
  }

  private void dropStream() {
    if (heartbeat != null) {
      heartbeat.cancel(false);
      heartbeat = null;
    }
    if (stream != null) {
      stream.close();
      stream = null;
    }
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** Ends the stream; the workloads keep running. */
  @Override
  public void close() {
    synchronized (lock) {
      if (state == ConnectionState.CLOSED) {
        return;
      }
      state = state.to(ConnectionState.CLOSED);
      epoch++;
      if (retry != null) {
        retry.cancel(false);
      }
      dropStream();
    }
  }
}
