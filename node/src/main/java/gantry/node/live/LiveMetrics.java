package gantry.node.live;

import gantry.v1.AllocationMetrics;
import gantry.v1.AllocationStatusUpdate;
import gantry.v1.AllocationUpdates;
import gantry.v1.GetLiveMetricsResponse;
import gantry.v1.NodeMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The latest resource use each agent reported (allocations every few seconds, node totals with
 * each heartbeat), held in memory on the leader. Never replicated: it changes every few seconds
 * and a new leader has fresh samples within one reporting interval. A sample older than
 * {@link #MAX_AGE} is dropped (its allocation or node stopped reporting). Thread-safe.
 */
public final class LiveMetrics {
  public static final Duration MAX_AGE = Duration.ofSeconds(30);

  private record Sample<T>(T value, long receivedMs) {}

  private final Clock clock;
  private final Map<String, Sample<AllocationMetrics>> allocations = new ConcurrentHashMap<>();
  private final Map<String, Sample<NodeMetrics>> nodes = new ConcurrentHashMap<>();
  private volatile long nextPruneMs;

  public LiveMetrics(Clock clock) {
    this.clock = clock;
  }

  /** Node totals from a heartbeat; an empty message (no sample yet) is ignored. */
  public void node(String nodeId, NodeMetrics metrics) {
    if (metrics.getTimeMs() <= 0) return;
    nodes.put(nodeId, new Sample<>(metrics, clock.millis()));
    pruneNow(false);
  }

  /** The metrics carried by a batch of status updates (those without a sample are skipped). */
  public void allocations(AllocationUpdates updates) {
    long now = clock.millis();
    for (AllocationStatusUpdate u : updates.getUpdatesList()) {
      if (u.hasMetrics() && u.getMetrics().getTimeMs() > 0) {
        allocations.put(u.getAllocationId(), new Sample<>(u.getMetrics(), now));
      }
    }
    pruneNow(false);
  }

  /** The latest sample of one allocation, if it is recent. */
  public java.util.Optional<AllocationMetrics> allocation(String id) {
    Sample<AllocationMetrics> s = allocations.get(id);
    return s == null || stale(s, clock.millis()) ? java.util.Optional.empty() : java.util.Optional.of(s.value());
  }

  /** The latest recent totals of each node, by node id. */
  public Map<String, NodeMetrics> nodeTotals() {
    long now = clock.millis();
    Map<String, NodeMetrics> out = new java.util.HashMap<>();
    nodes.forEach((id, s) -> {
      if (!stale(s, now)) out.put(id, s.value());
    });
    return out;
  }

  /** Every recent sample. */
  public GetLiveMetricsResponse snapshot() {
    pruneNow(true);
    GetLiveMetricsResponse.Builder b = GetLiveMetricsResponse.newBuilder();
    allocations.forEach((id, s) -> b.putAllocations(id, s.value()));
    nodes.forEach((id, s) -> b.putNodes(id, s.value()));
    return b.build();
  }

  private void pruneNow(boolean force) {
    long now = clock.millis();
    if (!force && now < nextPruneMs) return;
    nextPruneMs = now + MAX_AGE.toMillis() / 3;
    allocations.values().removeIf(s -> stale(s, now));
    nodes.values().removeIf(s -> stale(s, now));
  }

  private static boolean stale(Sample<?> s, long now) {
    return now - s.receivedMs() > MAX_AGE.toMillis();
  }
}
