package gantry.node.live;

import gantry.node.control.ControlException;
import gantry.node.control.ControlException.Code;
import gantry.node.control.NotLeaderException;
import gantry.node.state.ClusterState;
import gantry.v1.NodeMetrics;
import gantry.v1.NotLeaderDetail;
import gantry.v1.ServiceEndpoint;
import gantry.v1.ServiceEndpoints;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's service endpoints for readers and watchers ({@link ServiceCatalog} computes them).
 * One thread recomputes the watched services when an entry was applied (at most every
 * {@link #COALESCE_MS}) and once a second anyway (weight: headroom follows the agents' reports),
 * and pushes a set to a watcher whenever it differs from the one it was sent last. A set's index
 * is the applied index it was computed at, so a watcher that reconnects with the newest index is
 * sent nothing until the next change (a weight-only change keeps the index). Leadership lost ends every watch with UNAVAILABLE; the caller reopens it
 * at the new leader.
 */
public final class ServiceWatch implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ServiceWatch.class);
  static final long COALESCE_MS = 20;
  static final long REFRESH_MS = 1000;

  /** Where a watch's sets go. Called on the watch thread only. */
  public interface Sink {
    void send(ServiceEndpoints set);

    /** The watch ended on the server's side (leadership moved, or the peer closes). */
    void end(ControlException why);
  }

  /** A watch; {@link #cancel()} when the caller goes. */
  public final class Watch {
    private final String service;
    private final Sink sink;
    private long sentIndex;
    private List<ServiceEndpoint> sent;

    private Watch(String service, long index, Sink sink) {
      this.service = service;
      this.sentIndex = index;
      this.sink = sink;
    }

    public void cancel() {
      watches.remove(this);
    }
  }

  private final BooleanSupplier leading;
  private final Supplier<NotLeaderDetail> leader;
  private final Supplier<ClusterState> state;
  private final LongSupplier appliedIndex;
  private final Supplier<Map<String, NodeMetrics>> nodeUse;
  private final Map<Watch, Boolean> watches = new ConcurrentHashMap<>();
  private final BlockingQueue<Boolean> wake = new LinkedBlockingQueue<>();
  private final Thread thread;
  private volatile boolean closed;

  public ServiceWatch(BooleanSupplier leading, Supplier<NotLeaderDetail> leader, Supplier<ClusterState> state,
      LongSupplier appliedIndex, Supplier<Map<String, NodeMetrics>> nodeUse) {
    this.leading = leading;
    this.leader = leader;
    this.state = state;
    this.appliedIndex = appliedIndex;
    this.nodeUse = nodeUse;
    this.thread = Thread.ofPlatform().daemon().name("gantry-service-watch").start(this::run);
  }

  /** The set now (GetServiceEndpoints). NOT_FOUND when no job declares the service. */
  public ServiceEndpoints get(String service) {
    requireLeader();
    requireName(service);
    ClusterState s = state.get();
    if (!ServiceCatalog.declared(s, service)) {
      throw new ControlException(Code.NOT_FOUND, "service \"" + service + "\" not found: no job declares it");
    }
    return ServiceEndpoints.newBuilder().setService(service)
        .addAllEndpoints(ServiceCatalog.endpoints(s, service, nodeUse.get())).setIndex(appliedIndex.getAsLong()).build();
  }

  /** Every declared service (ListServices). */
  public List<gantry.v1.ServiceSummary> list() {
    requireLeader();
    return ServiceCatalog.summaries(state.get());
  }

  /** Starts a watch; its first set goes out at once unless {@code index} is already the newest. */
  public Watch watch(String service, long index, Sink sink) {
    requireLeader();
    requireName(service);
    Watch w = new Watch(service, index, sink);
    watches.put(w, Boolean.TRUE);
    wake.offer(Boolean.TRUE);
    return w;
  }

  /** An entry was applied (called on the apply thread: only marks the sets stale). */
  public void applied() {
    if (!watches.isEmpty()) wake.offer(Boolean.TRUE);
  }

  /** Leadership moved away: every watch ends. */
  public void leadershipLost() {
    wake.offer(Boolean.FALSE);
  }

  private void run() {
    long lastRefresh = 0;
    while (!closed) {
      try {
        Boolean w = wake.poll(REFRESH_MS, TimeUnit.MILLISECONDS);
        if (closed) break;
        if (Boolean.TRUE.equals(w)) {
          Thread.sleep(COALESCE_MS);
          wake.clear();
        }
        if (!leading.getAsBoolean() || Boolean.FALSE.equals(w)) {
          String to = leader.get().getLeaderGrpcAddress();
          endAll(new ControlException(Code.UNAVAILABLE, "this manager no longer leads"
              + (to.isEmpty() ? "" : "; the leader is " + to) + ": watch again there"));
          continue;
        }
        if (w == null || System.currentTimeMillis() - lastRefresh >= REFRESH_MS || Boolean.TRUE.equals(w)) {
          lastRefresh = System.currentTimeMillis();
          push();
        }
      } catch (InterruptedException e) {
        break;
      } catch (RuntimeException e) {
        LOG.warn("service watch: {}", e.toString());
      }
    }
    endAll(new ControlException(Code.UNAVAILABLE, "this manager is shutting down"));
  }

  private void push() {
    if (watches.isEmpty()) return;
    ClusterState s = state.get();
    long index = appliedIndex.getAsLong();
    Map<String, NodeMetrics> use = nodeUse.get();
    Map<String, List<ServiceEndpoint>> sets = new HashMap<>();
    for (Watch w : watches.keySet()) {
      List<ServiceEndpoint> now = sets.computeIfAbsent(w.service, n -> ServiceCatalog.endpoints(s, n, use));
      if (now.equals(w.sent) || (w.sent == null && w.sentIndex >= index)) {
        if (w.sent == null) w.sent = now;
        continue;
      }
      w.sent = now;
      w.sentIndex = index;
      try {
        w.sink.send(ServiceEndpoints.newBuilder().setService(w.service).addAllEndpoints(now).setIndex(w.sentIndex).build());
      } catch (RuntimeException e) {
        // the caller went away between our look and the send
        w.cancel();
      }
    }
  }

  private void endAll(ControlException why) {
    for (Watch w : List.copyOf(watches.keySet())) {
      w.cancel();
      try {
        w.sink.end(why);
      } catch (RuntimeException e) {
        // already gone
      }
    }
  }

  private void requireLeader() {
    if (!leading.getAsBoolean()) throw new NotLeaderException(leader.get());
  }

  private static void requireName(String service) {
    if (service.isBlank()) throw new ControlException(Code.INVALID_ARGUMENT, "name: is required");
  }

  @Override
  public void close() {
    closed = true;
    thread.interrupt();
    try {
      thread.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
