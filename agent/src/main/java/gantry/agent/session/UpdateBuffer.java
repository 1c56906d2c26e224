package gantry.agent.session;

import gantry.v1.AllocationStatusUpdate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Status updates waiting to go up, coalesced per allocation: a newer update of an allocation
 * replaces the older one (each update carries the allocation's whole observed state), keeping the
 * allocation's first position. Thread-safe.
 */
public final class UpdateBuffer {
  private final Map<String, AllocationStatusUpdate> pending = new LinkedHashMap<>();

  public synchronized void put(AllocationStatusUpdate u) {
    pending.put(u.getAllocationId(), u);
  }

  /** Everything waiting, oldest allocation first; empties the buffer. */
  public synchronized List<AllocationStatusUpdate> drain() {
    List<AllocationStatusUpdate> out = List.copyOf(pending.values());
    pending.clear();
    return out;
  }

  public synchronized int size() {
    return pending.size();
  }
}
