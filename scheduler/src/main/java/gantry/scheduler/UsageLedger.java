package gantry.scheduler;

import gantry.v1.Allocation;
import gantry.v1.AllocatedPort;
import java.util.BitSet;

/**
 * Per-node usage while one plan is being built: the snapshot's usage plus what the plan has
 * placed, minus what it has stopped. Primitive arrays, ports copied on first write, so
 * starting a plan costs two array copies and no per-node objects.
 */
public final class UsageLedger {
  private final ClusterSnapshot snap;
  private final long[] cpu;
  private final long[] mem;
  private final long[] cpuCap;
  private final long[] memCap;
  private final BitSet[] ports;

  public UsageLedger(ClusterSnapshot snap) {
    this.snap = snap;
    this.cpu = snap.cpuUsage().clone();
    this.mem = snap.memUsage().clone();
    this.cpuCap = snap.cpuCapacity();
    this.memCap = snap.memCapacity();
    this.ports = new BitSet[snap.nodeCount()];
  }

  public ClusterSnapshot snapshot() {
    return snap;
  }

  public long cpu(int node) {
    return cpu[node];
  }

  public long mem(int node) {
    return mem[node];
  }

  public long cpuCapacity(int node) {
    return cpuCap[node];
  }

  public long memCapacity(int node) {
    return memCap[node];
  }

  public long cpuFree(int node) {
    return cpuCap[node] - cpu[node];
  }

  public long memFree(int node) {
    return memCap[node] - mem[node];
  }

  /** Used host ports of a node; read only. */
  public BitSet ports(int node) {
    BitSet own = ports[node];
    return own != null ? own : snap.portsUsedView(node);
  }

  private BitSet writablePorts(int node) {
    BitSet own = ports[node];
    if (own == null) {
      own = (BitSet) snap.portsUsedView(node).clone();
      ports[node] = own;
    }
    return own;
  }

  /** Counts an allocation (new or kept) on its node. */
  public void add(int node, Allocation a) {
    cpu[node] += a.getResources().getCpu();
    mem[node] += a.getResources().getMemory();
    if (a.getPortsCount() > 0) {
      BitSet p = writablePorts(node);
      for (AllocatedPort ap : a.getPortsList()) {
        p.set(ap.getHost());
      }
    }
  }

  /** Releases a live allocation the plan stops; reserved ports stay used. */
  public void release(int node, Allocation a) {
    cpu[node] -= a.getResources().getCpu();
    mem[node] -= a.getResources().getMemory();
    if (a.getPortsCount() > 0) {
      BitSet p = writablePorts(node);
      for (AllocatedPort ap : a.getPortsList()) {
        p.clear(ap.getHost());
      }
      for (int r : snap.node(node).getReservedPortsList()) {
        if (r > 0) {
          p.set(r);
        }
      }
    }
  }
}
