package gantry.node.leader;

import gantry.node.raft.Proposer;
import gantry.scheduler.AllocUpdate;
import gantry.scheduler.Plan;
import gantry.scheduler.PlanCheck;
import gantry.v1.AllocationStop;
import gantry.v1.EvalStatus;
import gantry.v1.Evaluation;
import gantry.v1.PlanApplied;
import gantry.v1.Record;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Commits plans one at a time, without waiting for Raft between them: each is re-checked
 * against the newest applied state plus every plan already accepted and still in flight (a
 * node may have filled up or gone since the plan's snapshot), the accepted part is proposed
 * as one record, and what was rejected or deferred becomes a follow-up evaluation.
 *
 * <p>Serial on purpose: check, acceptance into the {@link SchedulingView} and proposal happen
 * under one lock, so a plan is checked against every plan accepted before it, committed or
 * not, and two workers' plans cannot together over-commit a node. Not waiting for the commit
 * is what makes it fast: the proposer packs the plans accepted meanwhile into one Raft entry
 * (one fsync and one replication round for dozens of plans). Replay checks each placement
 * once more against the replicated state, so even a plan accepted on a view that turned out
 * wrong (a failed proposal, a deposed leader) cannot over-commit.
 *
 * <p>At most {@value #MAX_IN_FLIGHT} plans are in flight; {@link #apply} blocks beyond that.
 */
final class PlanApplier {
  private static final Logger LOG = LoggerFactory.getLogger(PlanApplier.class);
  static final int MAX_IN_FLIGHT = 256;

  private final SchedulingView view;
  private final Proposer proposer;
  private final Clock clock;
  private final Semaphore window = new Semaphore(MAX_IN_FLIGHT);
  private final PipelineStats stats = new PipelineStats();

  PlanApplier(SchedulingView view, Proposer proposer, Clock clock) {
    this.view = view;
    this.proposer = proposer;
    this.clock = clock;
  }

  PipelineStats stats() {
    return stats;
  }

  /**
   * Checks and proposes a plan; returns once it is accepted into the view (so the next
   * snapshot sees it).
   *
   * @return completes with the Raft index the plan's outcome was applied at, or fails if the
   *     proposal did
   */
  CompletableFuture<Long> apply(Evaluation eval, Plan plan) throws InterruptedException {
    window.acquire();
    try {
      return checkAndPropose(eval, plan);
    } catch (RuntimeException e) {
      window.release();
      view.abandon(eval.getId());
      throw e;
    }
  }

  private synchronized CompletableFuture<Long> checkAndPropose(Evaluation eval, Plan plan) {
    long t0 = System.nanoTime();
    PlanCheck check = view.accept(eval.getId(), plan);
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
          .setClientStatus(u.clientStatus()).setDescription(u.description()).setReplacedBy(u.replacedBy()));
    }
    if (rejected || plan.deferredUpdates() > 0) {
      record.addFollowUps(Evaluation.newBuilder()
          .setId(UUID.randomUUID().toString())
          .setJob(eval.getJob())
          .setPriority(eval.getPriority())
          .setTriggeredBy(rejected ? "plan-rejected" : "rolling-update")
          .setStatus(EvalStatus.EVAL_STATUS_PENDING)
          .setJobVersion(eval.getJobVersion())
          .setCreateTimeMs(clock.millis()));
    }
    if (rejected) {
      LOG.info("plan of evaluation {} (job {}): {} of {} placements refused, a follow-up evaluation places them: {}",
          eval.getId(), eval.getJob(), check.rejectedPlacements().size(), plan.placements().size(), check.rejectedNodes());
    }
    stats.add(PipelineStats.Stage.CHECK, t0);
    long t1 = System.nanoTime();
    int placed = accepted.placements().size();
    int refused = check.rejectedPlacements().size();
    return proposer.propose(List.of(Record.newBuilder().setPlanApplied(record).build()))
        .handle((proposal, err) -> {
          window.release();
          if (err != null) {
            view.abandon(eval.getId());
            throw err instanceof RuntimeException re ? re : new java.util.concurrent.CompletionException(err);
          }
          stats.add(PipelineStats.Stage.COMMIT, t1);
          stats.committed(placed, refused);
          return proposal.index();
        });
  }
}
