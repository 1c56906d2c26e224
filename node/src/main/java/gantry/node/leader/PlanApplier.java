package gantry.node.leader;

import gantry.node.leader.LeaderAction.PlanCommit;
import gantry.node.leader.LeaderAction.Propose;
import gantry.scheduler.AllocUpdate;
import gantry.scheduler.Plan;
import gantry.scheduler.PlanCheck;
import gantry.v1.AllocationStop;
import gantry.v1.EvalStatus;
import gantry.v1.Evaluation;
import gantry.v1.PlanApplied;
import gantry.v1.Record;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits plans, a handler of the leader's loop, without waiting for Raft between them: each
 * is re-checked against the newest applied state plus every plan already accepted and still
 * in flight (a node may have filled up or gone since the plan's snapshot), the accepted part
 * is proposed as one record, and what was rejected or deferred becomes a follow-up evaluation.
 *
 * <p>Serial because the loop is: check and acceptance into the {@link SchedulingView} happen
 * for one plan at a time, so a plan is checked against every plan accepted before it,
 * committed or not, and two workers' plans cannot together over-commit a node. Not waiting
 * for the commit is what makes it fast: the proposer packs the plans accepted meanwhile into
 * one Raft entry. Replay checks each plan once more with the same rule against the replicated
 * state, so even a plan accepted on a view that turned out wrong cannot over-commit.
 *
 * <p>Per plan: ready -> accepted into the view and proposed -> committed (leaves the flight
 * when its entry is applied) | proposal failed (abandoned: it leaves the view at once).
 */
final class PlanApplier {
  private static final Logger LOG = LoggerFactory.getLogger(PlanApplier.class);

  private final SchedulingView view;
  private final PipelineStats stats;

  PlanApplier(SchedulingView view, PipelineStats stats) {
    this.view = view;
    this.stats = stats;
  }

  /** Checks a plan against the view and returns the proposal of its accepted part. */
  Propose apply(Evaluation eval, Plan plan, long nowMs) {
    long t0 = System.nanoTime();
    PlanCheck check = view.accept(eval.getId(), plan);
    Plan accepted = check.accepted();
    boolean rejected = !check.fullyAccepted();
    PlanApplied.Builder record = PlanApplied.newBuilder()
        .setEvalId(eval.getId())
        .addAllPlaced(accepted.placements())
        .addAllUpdatedInPlace(accepted.inPlace())
        .setEvalStatus(plan.failures().isEmpty() ? EvalStatus.EVAL_STATUS_COMPLETE : EvalStatus.EVAL_STATUS_BLOCKED)
        .putAllFailedGroups(plan.failures())
        .setTimeMs(nowMs);
    for (AllocUpdate u : accepted.updates()) {
      record.addStops(AllocationStop.newBuilder().setAllocationId(u.allocId())
          .setClientStatus(u.clientStatus()).setDescription(u.description()).setReplacedBy(u.replacedBy()));
    }
    // Deferred updates of a rolling update need no follow-up here: the health report of each
    // allocation it started makes the next evaluation (replay, SchedulingReplay.updateAllocs).
    // Only a system job's stagger waits for time alone: evaluate again when it ends.
    if (plan.wakeAtMs() > 0) record.addFollowUps(followUp(eval, "rolling-update-stagger", nowMs).setWaitUntilMs(plan.wakeAtMs()));
    if (rejected) record.addFollowUps(followUp(eval, "plan-rejected", nowMs));
    if (rejected) {
      stats.planRejected();
      LOG.info("plan of evaluation {} (job {}): {} of {} placements refused, a follow-up evaluation places them: {}",
          eval.getId(), eval.getJob(), check.rejectedPlacements().size(), plan.placements().size(), check.rejectedNodes());
    }
    stats.add(PipelineStats.Stage.CHECK, t0);
    PlanCommit tag = new PlanCommit(eval, accepted.placements().size(), check.rejectedPlacements().size(), System.nanoTime());
    return new Propose(List.of(Record.newBuilder().setPlanApplied(record).build()), tag);
  }

  /** Another evaluation of {@code eval}'s job, pending. */
  private static Evaluation.Builder followUp(Evaluation eval, String triggeredBy, long nowMs) {
    return Evaluation.newBuilder()
        .setId(UUID.randomUUID().toString())
        .setJob(eval.getJob())
        .setPriority(eval.getPriority())
        .setTriggeredBy(triggeredBy)
        .setStatus(EvalStatus.EVAL_STATUS_PENDING)
        .setJobVersion(eval.getJobVersion())
        .setCreateTimeMs(nowMs);
  }

  /** The plan's proposal finished; a failed one leaves the view (nothing of it was committed). */
  void done(PlanCommit commit, Throwable error) {
    if (error != null) {
      view.abandon(commit.eval().getId());
      return;
    }
    stats.add(PipelineStats.Stage.COMMIT, commit.proposedNanos());
    stats.committed(commit.placed(), commit.refused());
  }
}
