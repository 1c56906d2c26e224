package gantry.node.state;

import gantry.scheduler.AllocationRules;
import gantry.scheduler.NodeFit;
import gantry.scheduler.PlanChecker;
import gantry.v1.AllocatedPort;
import gantry.v1.Allocation;
import gantry.v1.Node;
import java.util.BitSet;

/** The replicated state as the plan checker sees it during replay: nodes and their live usage. */
final class StateNodeView implements PlanChecker.NodeView {
  private final ClusterState state;

  StateNodeView(ClusterState state) {
    this.state = state;
  }

  @Override
  public Node node(String nodeId) {
    return state.nodes.get(nodeId);
  }

  @Override
  public NodeFit.Usage usage(String nodeId) {
    long cpu = 0;
    long mem = 0;
    BitSet ports = new BitSet();
    for (Allocation a : state.allocsOfNodeUnordered(nodeId)) {
      if (!AllocationRules.isLive(a)) continue;
      cpu += a.getResources().getCpu();
      mem += a.getResources().getMemory();
      for (AllocatedPort p : a.getPortsList()) ports.set(p.getHost());
    }
    return new NodeFit.Usage(cpu, mem, ports);
  }

  @Override
  public Allocation alloc(String allocId) {
    return state.allocs.get(allocId);
  }
}
