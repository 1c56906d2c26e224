package gantry.node.state;

import gantry.v1.Allocation;
import gantry.v1.AllocationStop;
import gantry.v1.EvalStatus;
import gantry.v1.Evaluation;
import gantry.v1.GarbageCollected;
import gantry.v1.PlanApplied;
import gantry.v1.Record;
import java.util.List;

/** A replayed state with jobs, evaluations and allocations to collect, for the GC's tests. */
abstract class GarbageHarness extends ReplayHarness {
  static final long MINUTE = 60_000;

  /** Registers job {@code name} with {@code count}; returns its new evaluation. */
  Evaluation register(String name, int count) {
    return register(ClusterStateTest.spec(name, count));
  }

  Evaluation register(gantry.v1.JobSpec spec) {
    Changes c = apply(ClusterStateTest.register(spec, 1));
    return state.eval(c.readyEvals().iterator().next()).orElseThrow();
  }

  /** The evaluation's plan, placing {@code placed}, finished it at {@code timeMs}. */
  Evaluation finish(Evaluation e, long timeMs, Allocation... placed) {
    apply(Record.newBuilder().setPlanApplied(PlanApplied.newBuilder().setEvalId(e.getId())
        .setEvalStatus(EvalStatus.EVAL_STATUS_COMPLETE).setTimeMs(timeMs).addAllPlaced(List.of(placed))).build());
    return state.eval(e.getId()).orElseThrow();
  }

  /** A plan of evaluation {@code e} stopped allocation {@code id}. */
  void stop(Evaluation e, String id) {
    apply(Record.newBuilder().setPlanApplied(PlanApplied.newBuilder().setEvalId(e.getId())
        .setEvalStatus(EvalStatus.EVAL_STATUS_COMPLETE).addStops(AllocationStop.newBuilder().setAllocationId(id)
            .setDescription("stopped"))).build());
  }

  static Record collect(long timeMs, List<String> evals, List<String> allocs) {
    return Record.newBuilder().setGarbageCollected(GarbageCollected.newBuilder()
        .addAllEvalIds(evals).addAllAllocIds(allocs).setTimeMs(timeMs)).build();
  }

  static Record collectJob(String name) {
    return Record.newBuilder().setGarbageCollected(GarbageCollected.newBuilder().addJobs(name).setTimeMs(9)).build();
  }

  /** Whether the store still holds a job, evaluation, allocation or deployment of {@code job}. */
  boolean storeHoldsAnythingOf(String job) {
    return out.kv.values().stream().anyMatch(v -> switch (v) {
      case gantry.v1.Job j -> j.getName().equals(job);
      case Evaluation e -> e.getJob().equals(job);
      case Allocation a -> a.getJob().equals(job);
      case gantry.v1.Deployment d -> d.getJob().equals(job);
      default -> false;
    });
  }

  static Allocation alloc(String id, String job, long createTimeMs) {
    return SchedulingReplayTest.alloc(id, "n1", 100, 64).toBuilder().setJob(job).setCreateTimeMs(createTimeMs).build();
  }

  /**
   * Job "web": version 1 without an update policy (stable at once), then versions 2 to 9 each
   * rolled out behind health, each roll-out cancelled by the next registration but version 9's,
   * which runs. None of 2 to 9 became stable.
   */
  void rollOutVersions() {
    register(ClusterStateTest.spec("web", 1));
    for (int v = 2; v <= 9; v++) register(DeploymentHarness.rolling("img:" + v, 1, false));
  }
}
