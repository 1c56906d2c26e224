package gantry.agent.session;

import gantry.v1.AllocationStatusUpdate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Status updates waiting to go up, coalesced per allocation: a newer update of an allocation
 * replaces the older one (each update carries the allocation's whole observed state), keeping the
 * allocation's first position. Thread-safe without a lock: the allocations' virtual threads put,
 * the session's timer thread drains, and a virtual thread that held a monitor while it waited for
 * a carrier thread would hold up the timer (and every session's heartbeat with it).
 */
public final class UpdateBuffer {
  private final Map<String, AllocationStatusUpdate> pending = new ConcurrentHashMap<>();
  /** The allocations in {@code pending}, each once, in the order they first went in. */
  private final Queue<String> order = new ConcurrentLinkedQueue<>();

  public void put(AllocationStatusUpdate u) {
    if (pending.put(u.getAllocationId(), u) == null) order.add(u.getAllocationId());
  }

  /** Everything waiting, oldest allocation first; empties the buffer. */
  public List<AllocationStatusUpdate> drain() {
    List<AllocationStatusUpdate> out = new ArrayList<>();
    for (String id; (id = order.poll()) != null; ) {
      // A put of this allocation between the poll and the remove replaced the value, which the
      // remove takes; one after the remove goes in again, for the next drain.
      AllocationStatusUpdate u = pending.remove(id);
      if (u != null) out.add(u);
    }
    return out;
  }

  public int size() {
    return pending.size();
  }
}
