package gantry.scheduler;

import gantry.v1.AllocatedPort;
import gantry.v1.Allocation;
import gantry.v1.Node;
import gantry.v1.NodeStatus;
import java.util.BitSet;
import java.util.Collection;

/**
 * The node-fit rule, once: may a node take new allocations, and do a set of placements fit
 * on it given what its live allocations use and what the same change stops there. The
 * scheduler's filters, the leader's plan check and replay's last check all ask here, so
 * they cannot disagree.
 */
public final class NodeFit {
  private NodeFit() {}

  /**
   * What a node's live allocations use.
   *
   * @param ports host ports in use by live allocations (the node's reserved ports are added by the check either way)
   */
  public record Usage(long cpu, long memory, BitSet ports) {}

  /** Null when the node may receive new allocations (ready, eligible, not draining), else why not. */
  public static String unschedulable(Node n) {
    if (n.getStatus() != NodeStatus.NODE_STATUS_READY) {
      return switch (n.getStatus()) {
        case NODE_STATUS_DOWN -> "node down";
        case NODE_STATUS_DISCONNECTED -> "node disconnected";
        default -> "node not ready";
      };
    }
    if (n.getDraining()) {
      return "node draining";
    }
    if (!n.getEligible()) {
      return "node ineligible";
    }
    return null;
  }

  public static boolean isSchedulable(Node n) {
    return unschedulable(n) == null;
  }

  /** Null when an ask of {@code cpu}/{@code memory} fits in what is free, else which resource ran out. */
  public static String resources(long cpuFree, long memFree, long cpu, long memory) {
    if (cpuFree < cpu) {
      return "exhausted cpu";
    }
    if (memFree < memory) {
      return "exhausted memory";
    }
    return null;
  }

  /**
   * Whether {@code placed} fit on {@code node} together, with the live allocations in
   * {@code freed} (stopped by the same change) no longer counted.
   *
   * @return null if they fit, else the reason
   */
  public static String check(Node node, Usage used, Collection<Allocation> freed, Collection<Allocation> placed) {
    String why = unschedulable(node);
    if (why != null) {
      return why;
    }
    long cpu = used.cpu();
    long mem = used.memory();
    BitSet ports = (BitSet) used.ports().clone();
    for (Allocation a : freed) {
      if (!AllocationRules.isLive(a)) {
        continue;
      }
      cpu -= a.getResources().getCpu();
      mem -= a.getResources().getMemory();
      for (AllocatedPort p : a.getPortsList()) {
        ports.clear(p.getHost());
      }
    }
    for (int r : node.getReservedPortsList()) {
      if (r > 0) {
        ports.set(r);
      }
    }
    for (Allocation a : placed) {
      cpu += a.getResources().getCpu();
      mem += a.getResources().getMemory();
      for (AllocatedPort p : a.getPortsList()) {
        if (ports.get(p.getHost())) {
          return "port " + p.getHost() + " in use";
        }
        ports.set(p.getHost());
      }
    }
    return resources(node.getCapacity().getCpu(), node.getCapacity().getMemory(), cpu, mem);
  }
}
