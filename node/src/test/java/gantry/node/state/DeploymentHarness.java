package gantry.node.state;

import gantry.v1.Allocation;
import gantry.v1.AllocationStatusUpdate;
import gantry.v1.AllocationsUpdated;
import gantry.v1.ClientStatus;
import gantry.v1.DeployHealth;
import gantry.v1.Deployment;
import gantry.v1.DesiredStatus;
import gantry.v1.EvalStatus;
import gantry.v1.Evaluation;
import gantry.v1.Job;
import gantry.v1.JobSpec;
import gantry.v1.PlanApplied;
import gantry.v1.Record;
import gantry.v1.Resources;
import gantry.v1.UpdatePolicy;

/** Job "web" (group g) registered, placed and reported healthy record by record, for the deployment tests. */
abstract class DeploymentHarness extends ReplayHarness {
  static JobSpec rolling(String image, int count, boolean autoRevert) {
    JobSpec s = ClusterStateTest.spec("web", count);
    return s.toBuilder().setGroups(0, s.getGroups(0).toBuilder()
        .setUpdate(UpdatePolicy.newBuilder().setMaxParallel(1).setMinHealthyTimeMs(1_000).setHealthyDeadlineMs(60_000)
            .setAutoRevert(autoRevert))
        .setTasks(0, s.getGroups(0).getTasks(0).toBuilder().setImage(image))).build();
  }

  /** Registers the spec and places {@code ids} for its evaluation, as the leader's plan would. */
  Job registerAndPlace(JobSpec spec, String... ids) {
    Changes c = apply(ClusterStateTest.register(spec, index * 1000));
    Job job = state.job("web").orElseThrow();
    Evaluation e = state.eval(c.readyEvals().iterator().next()).orElseThrow();
    PlanApplied.Builder plan = PlanApplied.newBuilder().setEvalId(e.getId()).setEvalStatus(EvalStatus.EVAL_STATUS_COMPLETE);
    for (String id : ids) {
      plan.addPlaced(Allocation.newBuilder().setId(id).setJob("web").setJobVersion(job.getVersion()).setGroup("g").setNodeId("n1")
          .setDesiredStatus(DesiredStatus.DESIRED_STATUS_RUN).setClientStatus(ClientStatus.CLIENT_STATUS_PENDING)
          .setResources(Resources.newBuilder().setCpu(10).setMemory(10)));
    }
    apply(Record.newBuilder().setPlanApplied(plan).build());
    return job;
  }

  Changes health(String id, String status, String reason) {
    return apply(Record.newBuilder().setAllocationsUpdated(AllocationsUpdated.newBuilder().setTimeMs(index * 1000).addUpdates(
        AllocationStatusUpdate.newBuilder().setAllocationId(id).setClientStatus(ClientStatus.CLIENT_STATUS_RUNNING)
            .setDeployHealth(DeployHealth.newBuilder().setStatus(status).setReason(reason).setTimeMs(index)))).build());
  }

  Deployment latest() {
    return state.deployments("web").getFirst();
  }

  /** Places a canary of the current version, as the leader's plan for a canary phase would. */
  void placeCanary(String id) {
    Job job = state.job("web").orElseThrow();
    apply(Record.newBuilder().setPlanApplied(PlanApplied.newBuilder().setEvalId("canary-" + id)
        .setEvalStatus(EvalStatus.EVAL_STATUS_COMPLETE)
        .addPlaced(Allocation.newBuilder().setId(id).setJob("web").setJobVersion(job.getVersion()).setGroup("g").setNodeId("n1")
            .setCanary(true).setDesiredStatus(DesiredStatus.DESIRED_STATUS_RUN).setClientStatus(ClientStatus.CLIENT_STATUS_PENDING)
            .setResources(Resources.newBuilder().setCpu(10).setMemory(10)))).build());
  }
}
