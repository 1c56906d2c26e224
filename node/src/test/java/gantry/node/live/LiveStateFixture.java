package gantry.node.live;

import gantry.node.state.Changes;
import gantry.node.state.ClusterState;
import gantry.node.state.DiscardMutations;
import gantry.node.state.Mutations;
import gantry.v1.Allocation;
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

/** A replayed state with one node and placed allocations of job "web", built through replay only. */
final class LiveStateFixture {
  final ClusterState state = new ClusterState();
  private long index;
  private final Mutations none = new DiscardMutations();

  Changes apply(Record r) {
    Changes c = new Changes();
    state.replay(r, ++index, none, c);
    return c;
  }

  /** Node n1 (name "n1") and job web with allocations {@code ids} placed on it. */
  LiveStateFixture placed(String... ids) {
    apply(Record.newBuilder().setNodeRegistered(NodeRegistered.newBuilder().setNode(Node.newBuilder().setId("n1")
        .setName("n1").setCapacity(Resources.newBuilder().setCpu(8000).setMemory(8192)))).build());
    JobSpec spec = JobSpec.newBuilder().setName("web").addGroups(GroupSpec.newBuilder().setName("g").setCount(ids.length)
        .addTasks(TaskSpec.newBuilder().setName("t").setDriver("exec").addCommand("true"))).build();
    Changes c = apply(Record.newBuilder().setJobRegistered(JobRegistered.newBuilder().setSpec(spec).setTimeMs(1)).build());
    String eval = c.readyEvals().iterator().next();
    PlanApplied.Builder plan = PlanApplied.newBuilder().setEvalId(eval).setEvalStatus(EvalStatus.EVAL_STATUS_COMPLETE);
    int i = 0;
    for (String id : ids) {
      plan.addPlaced(Allocation.newBuilder().setId(id).setJob("web").setJobVersion(1).setGroup("g").setIndex(i++)
          .setNodeId("n1").setDesiredStatus(DesiredStatus.DESIRED_STATUS_RUN)
          .setClientStatus(ClientStatus.CLIENT_STATUS_PENDING).setResources(Resources.newBuilder().setCpu(100).setMemory(32)));
    }
    apply(Record.newBuilder().setPlanApplied(plan).build());
    return this;
  }
}
