package gantry.node.live;

import gantry.node.state.ClusterState;
import gantry.v1.Allocation;
import gantry.v1.AllocationStatusUpdate;
import gantry.v1.AllocationUpdates;
import gantry.v1.ClientStatus;
import com.google.protobuf.ByteString;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Drops status updates that would change nothing replicated. Agents send a fresh metrics sample
 * every few seconds with an otherwise unchanged status; those go to {@link LiveMetrics} only and
 * cost no Raft entry.
 *
 * <p>An update is dropped only when it equals both the applied allocation and the last update
 * passed on for it: an earlier update still on its way through Raft is then followed by an equal
 * one already passed on, so skipping cannot leave a stale status behind (an A, B, A sequence
 * passes the second A on because B was the last passed on). A failed proposal leaves the applied
 * state different, so the next update goes through again.
 */
public final class UpdateFilter {
  private static final long PRUNE_EVERY_MS = 30_000;

  private final Supplier<ClusterState> state;
  /**
   * The last update passed on for each allocation, as its bytes: equal bytes are an equal
   * update (equal updates with their tasks in another order differ, and the second is passed on:
   * one record more, nothing lost). As messages, with their strings and task maps, they held
   * 29 MB of a leader's live heap at 100,000 allocations (README, Benchmarks).
   */
  private final Map<String, ByteString> passedOn = new ConcurrentHashMap<>();
  private volatile long nextPruneMs;

  public UpdateFilter(Supplier<ClusterState> state) {
    this.state = state;
  }

  /** The updates of {@code u} worth a record (metrics cleared), in order. */
  public AllocationUpdates changed(AllocationUpdates u) {
    ClusterState s = state.get();
    AllocationUpdates.Builder out = AllocationUpdates.newBuilder();
    for (AllocationStatusUpdate up : u.getUpdatesList()) {
      AllocationStatusUpdate bare = up.toBuilder().clearMetrics().build();
      ByteString bytes = bare.toByteString();
      Allocation a = s.alloc(up.getAllocationId()).orElse(null);
      if (a != null && bytes.equals(passedOn.get(up.getAllocationId())) && !changes(a, bare)) continue;
      passedOn.put(up.getAllocationId(), bytes);
      out.addUpdates(bare);
    }
    prune(s);
    return out.build();
  }

  /**
   * Whether replaying {@code update} would change {@code current} (tasks, description, client
   * status, a deploy health not yet decided).
   */
  static boolean changes(Allocation current, AllocationStatusUpdate update) {
    if (!current.getTasksMap().equals(update.getTasksMap())) return true;
    if (current.getDeployHealth().getStatus().isEmpty() && !update.getDeployHealth().getStatus().isEmpty()) return true;
    if (!current.getClientDescription().equals(update.getDescription())) return true;
    return update.getClientStatus() != ClientStatus.CLIENT_STATUS_UNSPECIFIED
        && update.getClientStatus() != current.getClientStatus();
  }

  private void prune(ClusterState s) {
    long now = System.currentTimeMillis();
    if (now < nextPruneMs) return;
    nextPruneMs = now + PRUNE_EVERY_MS;
    passedOn.keySet().removeIf(id -> s.alloc(id).isEmpty());
  }
}
