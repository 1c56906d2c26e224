package gantry.node.rpc;

import io.grpc.BindableService;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the standard health service ({@code grpc.health.v1.Health}) in line with
 * {@link HealthRule}. The statuses are decided on a timer (every {@value #PERIOD_MS} ms) and when
 * Raft's leadership changes, never per request: a health check costs a map lookup, and a
 * {@code Watch} stream hears of a change once.
 */
public final class HealthReporter implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HealthReporter.class);
  static final long PERIOD_MS = 500;
  /** After a leadership notification: the leader's loop opens its duties a moment later. */
  private static final long SETTLE_MS = 100;

  private final HealthStatusManager health = new HealthStatusManager();
  private final Supplier<HealthRule.Facts> facts;
  private final ScheduledExecutorService timer;
  private Map<String, ServingStatus> published = Map.of(); // guarded by this
  private boolean closed; // guarded by this

  /** Publishes the first statuses at once (the health service would otherwise start out SERVING). */
  public HealthReporter(Supplier<HealthRule.Facts> facts) {
    this.facts = facts;
    publish();
    this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("gantry-health").factory());
    timer.scheduleWithFixedDelay(this::publishQuietly, PERIOD_MS, PERIOD_MS, TimeUnit.MILLISECONDS);
  }

  /** The {@code grpc.health.v1.Health} service to add to the gRPC server. */
  public BindableService service() {
    return health.getHealthService();
  }

  /** The leadership changed: decide again now and once more when the leader's loop has caught up. */
  public void leadershipChanged() {
    try {
      timer.execute(this::publishQuietly);
      timer.schedule(this::publishQuietly, SETTLE_MS, TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException e) {
      // closed: the statuses are terminal
    }
  }

  /** Decides the statuses from the current facts and publishes those that changed. */
  synchronized void publish() {
    if (closed) return;
    Map<String, ServingStatus> now = HealthRule.statuses(facts.get());
    if (now.equals(published)) return;
    now.forEach(health::setStatus);
    LOG.info("health: {}", String.join(", ", now.entrySet().stream()
        .map(e -> (e.getKey().isEmpty() ? "\"\"" : e.getKey()) + " " + e.getValue()).toList()));
    published = now;
  }

  private void publishQuietly() {
    try {
      publish();
    } catch (RuntimeException e) {
      // the next tick tries again; a failing fact must not stop the timer
      LOG.warn("health: {}", e.toString());
    }
  }

  /** Every service NOT_SERVING from now on (health watchers hear it before the server goes). */
  @Override
  public void close() {
    timer.shutdownNow();
    synchronized (this) {
      if (closed) return; // the library logs a stack trace on a second terminal state
      closed = true;
      health.enterTerminalState();
    }
  }
}
