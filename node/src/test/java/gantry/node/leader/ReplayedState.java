package gantry.node.leader;

import gantry.node.state.Changes;
import gantry.node.state.ClusterState;
import gantry.node.state.DiscardMutations;
import gantry.node.state.Mutations;
import gantry.v1.Allocation;
import gantry.v1.AllocationStatusUpdate;
import gantry.v1.AllocationStop;
import gantry.v1.AllocationsUpdated;
import gantry.v1.ClientStatus;
import gantry.v1.DesiredStatus;
import gantry.v1.EvalStatus;
import gantry.v1.GroupSpec;
import gantry.v1.JobRegistered;
import gantry.v1.JobSpec;
import gantry.v1.Node;
import gantry.v1.NodeRegistered;
import gantry.v1.PlanApplied;
import gantry.v1.Record;
import gantry.v1.Resources;
import gantry.v1.TaskSpec;

/** A real in-memory {@link ClusterState}, changed only through replay, for the leader's harness tests. */
final class ReplayedState {
  ClusterState state = new ClusterState();
  long index;
  private final Mutations none = new DiscardMutations();

  Changes apply(Record r) {
    Changes c = new Changes();
    state.replay(r, ++index, none, c);
    return c;
  }

  ReplayedState node(String id, long cpu, long mem) {
    apply(Record.newBuilder().setNodeRegistered(NodeRegistered.newBuilder().setNode(Node.newBuilder().setId(id)
        .setName(id).setCapacity(Resources.newBuilder().setCpu(cpu).setMemory(mem)))).build());
    return this;
  }

  /** Registers job {@code name} with one group "g" of {@code count}; returns its evaluation id. */
  String job(String name, int count) {
    JobSpec spec = JobSpec.newBuilder().setName(name).addGroups(GroupSpec.newBuilder().setName("g").setCount(count)
        .addTasks(TaskSpec.newBuilder().setName("t").setDriver("exec").addCommand("true"))).build();
    Changes c = apply(Record.newBuilder().setJobRegistered(JobRegistered.newBuilder().setSpec(spec).setTimeMs(1)).build());
    return c.readyEvals().iterator().next();
  }

  static Allocation alloc(String id, String job, String node, long cpu) {
    return Allocation.newBuilder().setId(id).setJob(job).setJobVersion(1).setGroup("g").setNodeId(node)
        .setDesiredStatus(DesiredStatus.DESIRED_STATUS_RUN).setClientStatus(ClientStatus.CLIENT_STATUS_PENDING)
        .setResources(Resources.newBuilder().setCpu(cpu).setMemory(16)).build();
  }

  Changes place(String eval, Allocation... allocs) {
    PlanApplied.Builder plan = PlanApplied.newBuilder().setEvalId(eval).setEvalStatus(EvalStatus.EVAL_STATUS_COMPLETE);
    for (Allocation a : allocs) plan.addPlaced(a);
    return apply(Record.newBuilder().setPlanApplied(plan).build());
  }

  /** A plan of evaluation {@code eval} that stops allocation {@code id}. */
  Changes stop(String eval, String id) {
    return apply(Record.newBuilder().setPlanApplied(PlanApplied.newBuilder().setEvalId(eval)
        .setEvalStatus(EvalStatus.EVAL_STATUS_COMPLETE).addStops(AllocationStop.newBuilder().setAllocationId(id)
            .setDescription("stopped"))).build());
  }

  /** The agent reported allocation {@code id} in {@code status}. */
  Changes report(String id, ClientStatus status) {
    return apply(Record.newBuilder().setAllocationsUpdated(AllocationsUpdated.newBuilder().setTimeMs(2)
        .addUpdates(AllocationStatusUpdate.newBuilder().setAllocationId(id).setClientStatus(status))).build());
  }
}
