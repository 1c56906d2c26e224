package gantry.scheduler;

import gantry.v1.Allocation;
import gantry.v1.AllocatedPort;
import gantry.v1.Node;
import gantry.v1.NodeStatus;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Re-checks a plan made against an older snapshot against the newest one, node by node, as
 * the leader's plan applier does before commit (pure, like the scheduler).
 *
 * <p>A node's placements are refused as a whole when the node is gone, not ready, ineligible
 * or draining, or when they no longer fit: the newest usage, minus the live allocations the
 * plan stops on that node, plus everything the plan places there must stay within cpu and
 * memory capacity with no host port used twice. A stop whose replacement was refused is
 * dropped too (the old allocation keeps running); as that can take freed room away from
 * another node, the check repeats until nothing more is refused.
 */
public final class PlanChecker {
  private PlanChecker() {}

  public static PlanCheck check(ClusterSnapshot newest, Plan plan) {
    Map<String, List<Allocation>> byNode = new TreeMap<>();
    for (Allocation a : plan.placements()) {
      byNode.computeIfAbsent(a.getNodeId(), k -> new ArrayList<>()).add(a);
    }
    Map<String, String> rejected = new TreeMap<>();
    Set<String> rejectedIds = new HashSet<>();
    boolean changed = true;
    while (changed) {
      changed = false;
      List<AllocUpdate> stops = keptUpdates(plan, rejectedIds);
      for (Map.Entry<String, List<Allocation>> e : byNode.entrySet()) {
        if (rejected.containsKey(e.getKey())) {
          continue;
        }
        String why = checkNode(newest, e.getKey(), e.getValue(), stops);
        if (why != null) {
          rejected.put(e.getKey(), why);
          e.getValue().forEach(a -> rejectedIds.add(a.getId()));
          changed = true;
        }
      }
    }
    List<Allocation> accepted = new ArrayList<>();
    List<Allocation> refused = new ArrayList<>();
    for (Allocation a : plan.placements()) {
      (rejectedIds.contains(a.getId()) ? refused : accepted).add(a);
    }
    Plan part = new Plan(plan.evalId(), plan.job(), plan.snapshotIndex(), accepted, keptUpdates(plan, rejectedIds),
        plan.failures(), plan.deferredUpdates());
    return new PlanCheck(part, rejected, refused);
  }

  private static List<AllocUpdate> keptUpdates(Plan plan, Set<String> rejectedIds) {
    List<AllocUpdate> out = new ArrayList<>();
    for (AllocUpdate u : plan.updates()) {
      if (u.replacedBy().isEmpty() || !rejectedIds.contains(u.replacedBy())) {
        out.add(u);
      }
    }
    return out;
  }

  private static String checkNode(ClusterSnapshot newest, String nodeId, List<Allocation> placed,
      List<AllocUpdate> stops) {
    int n = newest.nodeIndex(nodeId);
    if (n < 0) {
      return "node gone";
    }
    Node node = newest.node(n);
    if (node.getStatus() != NodeStatus.NODE_STATUS_READY) {
      return "node not ready (" + node.getStatus() + ")";
    }
    if (node.getDraining() || !node.getEligible()) {
      return "node ineligible";
    }
    long cpu = newest.cpuUsed(n);
    long mem = newest.memUsed(n);
    BitSet ports = (BitSet) newest.portsUsedView(n).clone();
    Map<Integer, Integer> freedPorts = new HashMap<>();
    for (AllocUpdate u : stops) {
      Allocation a = newest.alloc(u.allocId());
      if (a != null && a.getNodeId().equals(nodeId) && ClusterSnapshot.isLive(a)) {
        cpu -= a.getResources().getCpu();
        mem -= a.getResources().getMemory();
        for (AllocatedPort p : a.getPortsList()) {
          freedPorts.merge(p.getHost(), 1, Integer::sum);
        }
      }
    }
    freedPorts.keySet().forEach(ports::clear);
    for (int r : node.getReservedPortsList()) {
      if (r > 0) {
        ports.set(r);
      }
    }
    for (Allocation a : placed) {
      if (newest.alloc(a.getId()) != null) {
        return "allocation " + a.getId() + " already exists";
      }
      cpu += a.getResources().getCpu();
      mem += a.getResources().getMemory();
      for (AllocatedPort p : a.getPortsList()) {
        if (ports.get(p.getHost())) {
          return "port " + p.getHost() + " in use";
        }
        ports.set(p.getHost());
      }
    }
    if (cpu > node.getCapacity().getCpu()) {
      return "exhausted cpu";
    }
    if (mem > node.getCapacity().getMemory()) {
      return "exhausted memory";
    }
    return null;
  }
}
