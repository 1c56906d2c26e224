package gantry.node.leader;

import gantry.node.raft.Proposer;
import gantry.node.state.ClusterState;
import gantry.scheduler.AllocUpdate;
import gantry.scheduler.ClusterSnapshot;
import gantry.scheduler.Plan;
import gantry.scheduler.PlanCheck;
import gantry.scheduler.PlanChecker;
import gantry.v1.AllocationStop;
import gantry.v1.EvalStatus;
import gantry.v1.Evaluation;
import gantry.v1.PlanApplied;
import gantry.v1.Record;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Commits plans one at a time: each is re-checked against the newest applied state (a node
 * may have filled up or gone since the plan's snapshot), the accepted part is proposed as
 * one record, and what was rejected or deferred becomes a follow-up evaluation.
 *
 * <p>Serial on purpose: a plan is checked against the state that includes every plan
 * committed before it, so two workers' plans cannot together over-commit a node.
 */
final class PlanApplier {
  private final ClusterState state;
  private final Proposer proposer;
  private final Clock clock;
  private final Snapshots snapshots;

  PlanApplier(ClusterState state, Proposer proposer, Clock clock, Snapshots snapshots) {
    this.state = state;
    this.proposer = proposer;
    this.clock = clock;
    this.snapshots = snapshots;
  }

  /** @return the Raft index the plan's outcome was applied at */
  synchronized long apply(Evaluation eval, Plan plan) throws InterruptedException, ExecutionException, TimeoutException {
    ClusterSnapshot newest = snapshots.of(state);
    PlanCheck check = PlanChecker.check(newest, plan);
    Plan accepted = check.accepted();
    boolean rejected = !check.fullyAccepted();
    PlanApplied.Builder record = PlanApplied.newBuilder()
        .setEvalId(eval.getId())
        .addAllPlaced(accepted.placements())
        .setEvalStatus(plan.failures().isEmpty() ? EvalStatus.EVAL_STATUS_COMPLETE : EvalStatus.EVAL_STATUS_BLOCKED)
        .putAllFailedGroups(plan.failures())
        .setTimeMs(clock.millis());
    for (AllocUpdate u : accepted.updates()) {
      record.addStops(AllocationStop.newBuilder().setAllocationId(u.allocId())
          .setClientStatus(u.clientStatus()).setDescription(u.description()));
    }
    if (rejected || plan.deferredUpdates() > 0) {
      record.addFollowUps(Evaluation.newBuilder()
          .setId(UUID.randomUUID().toString())
          .setJob(eval.getJob())
          .setPriority(eval.getPriority())
          .setTriggeredBy(rejected ? "plan-rejected" : "rolling-update")
          .setStatus(gantry.v1.EvalStatus.EVAL_STATUS_PENDING)
          .setJobVersion(eval.getJobVersion())
          .setCreateTimeMs(clock.millis()));
    }
    return proposer.propose(List.of(Record.newBuilder().setPlanApplied(record).build()))
        .get(30, TimeUnit.SECONDS).index();
  }
}
