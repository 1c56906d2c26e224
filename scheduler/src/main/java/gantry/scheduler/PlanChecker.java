package gantry.scheduler;

import gantry.v1.Allocation;
import gantry.v1.Node;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Re-checks a plan made against an older snapshot against newer state, node by node (pure,
 * like the scheduler). The leader's plan applier runs it against its view before commit, and
 * replay runs it once more against the replicated state, so both apply the same rule.
 *
 * <p>A node's placements are refused as a whole when the node is gone or may not take new
 * allocations, or when they do not fit ({@link NodeFit#check}): the node's usage, minus the
 * live allocations the plan stops on it, plus everything the plan places there. A stop whose
 * replacement was refused is dropped too (the old allocation keeps running); as that can
 * take freed room away from another node, the check repeats until nothing more is refused.
 * Nodes are visited in id order, so the outcome is deterministic.
 */
public final class PlanChecker {
  private PlanChecker() {}

  /** The newer state a plan is checked against. */
  public interface NodeView {
    /** The node, or null if it is gone. */
    Node node(String nodeId);

    /** What the node's live allocations use now. */
    NodeFit.Usage usage(String nodeId);

    /** An existing allocation, or null. */
    Allocation alloc(String allocId);
  }

  public static PlanCheck check(ClusterSnapshot newest, Plan plan) {
    return check(snapshotView(newest), plan);
  }

  public static PlanCheck check(NodeView newest, Plan plan) {
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
    // An update in place changes no usage: it needs only its allocation still there and live.
    List<Allocation> inPlace = plan.inPlace().stream().filter(a -> {
      Allocation now = newest.alloc(a.getId());
      return now != null && AllocationRules.isLive(now) && now.getJobVersion() < a.getJobVersion();
    }).toList();
    Plan part = new Plan(plan.evalId(), plan.job(), plan.snapshotIndex(), accepted, keptUpdates(plan, rejectedIds),
        plan.failures(), plan.deferredUpdates(), inPlace, plan.wakeAtMs());
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

  private static String checkNode(NodeView newest, String nodeId, List<Allocation> placed, List<AllocUpdate> stops) {
    Node node = newest.node(nodeId);
    if (node == null) {
      return "node gone";
    }
    for (Allocation a : placed) {
      if (newest.alloc(a.getId()) != null) {
        return "allocation " + a.getId() + " already exists";
      }
    }
    List<Allocation> freed = new ArrayList<>();
    for (AllocUpdate u : stops) {
      Allocation a = newest.alloc(u.allocId());
      if (a != null && a.getNodeId().equals(nodeId)) {
        freed.add(a);
      }
    }
    return NodeFit.check(node, newest.usage(nodeId), freed, placed);
  }

  private static NodeView snapshotView(ClusterSnapshot s) {
    return new NodeView() {
      @Override
      public Node node(String nodeId) {
        int i = s.nodeIndex(nodeId);
        return i < 0 ? null : s.node(i);
      }

      @Override
      public NodeFit.Usage usage(String nodeId) {
        int i = s.nodeIndex(nodeId);
        return new NodeFit.Usage(s.cpuUsed(i), s.memUsed(i), s.portsUsedView(i));
      }

      @Override
      public Allocation alloc(String allocId) {
        return s.alloc(allocId);
      }
    };
  }
}
