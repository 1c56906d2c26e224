package gantry.node.leader;

import gantry.v1.AllocationStatusUpdate;
import gantry.v1.AllocationUpdates;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Status reports that reached the leader and wait for its loop to propose them. Each holds only
 * the newest update of each allocation a node reported (an update carries the allocation's whole
 * observed state, so a newer one replaces an older one), keeping the allocation's first place in
 * line. What waits is therefore bounded by the allocations, however fast agents report, and a
 * burst of reports becomes a few large records instead of one record per report.
 *
 * <p>Thread-safe without a lock: gRPC threads {@link #add}, the loop's thread {@link #take}s.
 * The wake-up flag makes sure at most one wake-up waits in the loop's queue: an add wakes the loop
 * only when the flag was down, and the loop lowers it only once it has taken everything
 * ({@link #settle}).
 */
final class StatusBacklog {
  /** One node's report of one allocation (a stale node may report another node's allocation). */
  record Key(String nodeId, String allocationId) {}

  /** An update as it waits, with the node that reported it. */
  record Reported(String nodeId, AllocationStatusUpdate update) {}

  private final Map<Key, AllocationStatusUpdate> pending = new ConcurrentHashMap<>();
  /** The keys in {@code pending}, each once, in the order they first went in. */
  private final Queue<Key> order = new ConcurrentLinkedQueue<>();
  private final AtomicBoolean wakeUpSent = new AtomicBoolean();

  /**
   * Adds a node's updates. Returns true when the caller must wake the loop (no wake-up is on its
   * way and the loop has not been told of work it has yet to take). Any thread.
   */
  boolean add(String nodeId, AllocationUpdates updates) {
    for (AllocationStatusUpdate u : updates.getUpdatesList()) {
      Key k = new Key(nodeId, u.getAllocationId());
      if (pending.put(k, u) == null) order.add(k);
    }
    return wakeUpSent.compareAndSet(false, true);
  }

  /** Up to {@code max} waiting updates, the longest waiting first; the loop's thread. */
  List<Reported> take(int max) {
    List<Reported> out = new ArrayList<>(Math.min(max, 1024));
    for (Key k; out.size() < max && (k = order.poll()) != null; ) {
      // An add of this key between the poll and the remove replaced the value, which the remove
      // takes; one after the remove puts the key in line again, for a later take.
      AllocationStatusUpdate u = pending.remove(k);
      if (u != null) out.add(new Reported(k.nodeId(), u));
    }
    return out;
  }

  /**
   * The loop took all it could for now and will not come back on its own: the flag goes down.
   * Returns true when updates arrived meanwhile whose adder saw the flag still up and so sent
   * no wake-up; the flag is then up again and the caller must take them.
   */
  boolean settle() {
    wakeUpSent.set(false);
    return !pending.isEmpty() && wakeUpSent.compareAndSet(false, true);
  }

  /** Drops everything (the leadership ended: the next leader hears the agents afresh). */
  void clear() {
    order.clear();
    pending.clear();
    wakeUpSent.set(false);
  }

  int size() {
    return pending.size();
  }
}
