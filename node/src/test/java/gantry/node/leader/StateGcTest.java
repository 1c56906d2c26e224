package gantry.node.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.node.config.GcThresholds;
import gantry.node.leader.LeaderAction.CollectGarbage;
import gantry.node.leader.LeaderAction.Propose;
import gantry.v1.ClientStatus;
import gantry.v1.EvalStatus;
import gantry.v1.GroupSpec;
import gantry.v1.JobRegistered;
import gantry.v1.JobSpec;
import gantry.v1.JobStopped;
import gantry.v1.TaskSpec;
import gantry.v1.PlanApplied;
import gantry.v1.Record;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StateGcTest {
  final ReplayedState s = new ReplayedState();

  /** The tag a finished proposal comes back with; only the log reads it. */
  private static final CollectGarbage DONE = new CollectGarbage("a record");

  /** Registers {@code job} again (a new version) and finishes its evaluation at {@code timeMs}; returns its id. */
  String finished(String job, int count, long timeMs) {
    String eval = s.job(job, count);
    s.apply(Record.newBuilder().setPlanApplied(PlanApplied.newBuilder().setEvalId(eval)
        .setEvalStatus(EvalStatus.EVAL_STATUS_COMPLETE).setTimeMs(timeMs)).build());
    return eval;
  }

  /**
   * The ids the actions propose to collect, evaluations, allocations, jobs, deployments, nodes,
   * then versions as job@version (and replays the record, as Raft would).
   */
  List<String> collected(List<LeaderAction> actions) {
    List<String> ids = new ArrayList<>();
    for (LeaderAction a : actions) {
      Record r = ((Propose) a).records().getFirst();
      ids.addAll(r.getGarbageCollected().getEvalIdsList());
      ids.addAll(r.getGarbageCollected().getAllocIdsList());
      ids.addAll(r.getGarbageCollected().getJobsList());
      ids.addAll(r.getGarbageCollected().getDeploymentIdsList());
      ids.addAll(r.getGarbageCollected().getNodeIdsList());
      r.getGarbageCollected().getVersionsList().forEach(v -> ids.add(v.getJob() + "@" + v.getVersion()));
      s.apply(r);
    }
    return ids;
  }

  @Test
  void collectsFinishedEvaluationsOlderThanTheThresholdOnly() {
    StateGc gc = new StateGc(new GcThresholds(Duration.ofMinutes(1), Duration.ofHours(4), Duration.ofHours(1), Duration.ofDays(1)));
    String old = finished("web", 1, 1_000);
    String recent = finished("web", 2, 50_000);
    String latest = finished("web", 3, 50_000);
    String pending = s.job("db", 1);

    assertEquals(List.of(old), collected(gc.check(s.state, 61_000)),
        "finished 60 s before: collected; finished 11 s before, the job's latest, or still pending: kept");
    gc.done(DONE, null);
    assertEquals(List.of(), gc.check(s.state, 62_000), "the next check waits for its interval");
    assertEquals(List.of(recent), collected(gc.check(s.state, 121_000)));
    gc.done(DONE, null);
    assertTrue(s.state.eval(latest).isPresent() && s.state.eval(pending).isPresent());
  }

  @Test
  void proposesOneRecordAtATimeOfAtMostAThousandAndGoesOnUntilDone() {
    StateGc gc = new StateGc(new GcThresholds(Duration.ofMinutes(1), Duration.ofHours(4), Duration.ofHours(1), Duration.ofDays(1)));
    for (int i = 0; i < 2_501; i++) finished("web", 1 + i % 2, 1_000);
    finished("web", 3, 1_000); // the latest stays

    long now = 3_600_000;
    List<Integer> sizes = new ArrayList<>();
    while (true) {
      List<LeaderAction> actions = gc.check(s.state, now);
      if (actions.isEmpty()) break;
      assertEquals(List.of(), gc.check(s.state, now), "one record in flight at a time");
      sizes.add(collected(actions).size());
      gc.done(DONE, null);
      now += 100; // the leader's next tick
    }
    // 2,501 evaluations, then 2,496 of the 2,502 versions (the newest six stay).
    assertEquals(List.of(1_000, 1_000, 1_000, 1_000, 997), sizes);
    assertEquals(1, s.state.evals().size());
    assertEquals(6, s.state.jobVersions("web").size());
  }

  @Test
  void theProposalsTagCountsEveryKindForTheLog() {
    StateGc gc = new StateGc(new GcThresholds(Duration.ofSeconds(10), Duration.ofHours(4), Duration.ofHours(1), Duration.ofDays(1)));
    finished("web", 1, 1_000);
    finished("web", 2, 1_000);
    Propose p = (Propose) gc.check(s.state, 20_000).getFirst();
    assertEquals(new CollectGarbage("1 evaluations, 0 allocations, 0 jobs, 0 deployments, 0 job versions and 0 nodes"),
        p.tag());
  }

  @Test
  void aFailedProposalIsTriedAgainAtTheNextCheck() {
    StateGc gc = new StateGc(new GcThresholds(Duration.ofSeconds(10), Duration.ofHours(4), Duration.ofHours(1), Duration.ofDays(1)));
    String old = finished("web", 1, 1_000);
    finished("web", 2, 1_000);
    List<LeaderAction> first = gc.check(s.state, 20_000);
    assertEquals(1, first.size());
    gc.done(DONE, new IllegalStateException("no longer the leader"));
    assertEquals(List.of(), gc.check(s.state, 20_100));
    assertEquals(List.of(old), collected(gc.check(s.state, 30_000)));
  }

  /** Evaluation {@code eval} placed allocation {@code id} of {@code job} on n1; it was then stopped and finished. */
  void stoppedAndFinished(String eval, String id, String job) {
    s.place(eval, ReplayedState.alloc(id, job, "n1", 100));
    s.stop(eval, id);
    s.report(id, ClientStatus.CLIENT_STATUS_COMPLETE);
  }

  @Test
  void anAllocationIsCollectedAThresholdAfterACheckFirstFoundItFinished() {
    StateGc gc = new StateGc(new GcThresholds(Duration.ofMinutes(1), Duration.ofHours(4), Duration.ofHours(1), Duration.ofDays(1)));
    s.node("n1", 4000, 4096);
    stoppedAndFinished(s.job("web", 1), "a1", "web");

    assertEquals(List.of(), collected(gc.check(s.state, 10_000_000)),
        "the allocation's finish time is not replicated: this leader starts counting now");
    assertEquals(List.of(), collected(gc.check(s.state, 10_030_000)));
    assertEquals(List.of("a1"), collected(gc.check(s.state, 10_060_000)));
    gc.done(DONE, null);
    assertTrue(s.state.alloc("a1").isEmpty());

    stoppedAndFinished(s.job("api", 1), "a2", "api");
    gc.reset();
    assertEquals(List.of(), collected(gc.check(s.state, 10_120_000)), "a new leadership counts afresh");
    assertEquals(List.of("a2"), collected(gc.check(s.state, 10_180_000)));
  }

  /** Registers batch job {@code name} with one group of {@code count}; returns its evaluation. */
  String batchJob(String name, int count) {
    return s.apply(Record.newBuilder().setJobRegistered(JobRegistered.newBuilder().setTimeMs(1).setSpec(
        JobSpec.newBuilder().setName(name).setType("batch").addGroups(GroupSpec.newBuilder().setName("g").setCount(count)
            .addTasks(TaskSpec.newBuilder().setName("t").setDriver("exec").addCommand("true"))))).build())
        .readyEvals().iterator().next();
  }

  @Test
  void aJobCountsWithItsAllocationsAgainstTheRoomOfARecord() {
    StateGc gc = new StateGc(new GcThresholds(Duration.ofDays(1), Duration.ofMinutes(1), Duration.ofHours(1), Duration.ofDays(1)));
    s.node("n1", 1_000_000, 1_000_000);
    for (String job : List.of("a", "b")) {
      String eval = batchJob(job, 600);
      List<gantry.v1.Allocation> allocs = new ArrayList<>();
      for (int i = 0; i < 600; i++) allocs.add(ReplayedState.alloc(job + i, job, "n1", 1));
      s.place(eval, allocs.toArray(gantry.v1.Allocation[]::new));
      for (int i = 0; i < 600; i++) s.report(job + i, ClientStatus.CLIENT_STATUS_COMPLETE);
    }
    long t0 = 10_000_000;
    assertEquals(List.of(), collected(gc.check(s.state, t0)));
    List<String> first = collected(gc.check(s.state, t0 + 60_000));
    assertEquals(1, first.size(), "two jobs of 601 deletions each do not fit in one record of 1,000: " + first);
    gc.done(DONE, null);
    List<String> second = collected(gc.check(s.state, t0 + 60_100));
    assertEquals(1, second.size(), "the other goes at the next tick");
    assertTrue(s.state.allJobs().isEmpty() && s.state.allocs().isEmpty());
  }

  @Test
  void aDeadJobGoesWithEverythingOfItAJobThresholdAfterACheckFirstFoundItDead() {
    StateGc gc = new StateGc(new GcThresholds(Duration.ofDays(1), Duration.ofMinutes(5), Duration.ofHours(1), Duration.ofDays(1)));
    s.node("n1", 4000, 4096);
    String web = s.job("web", 1);
    s.place(web, ReplayedState.alloc("w1", "web", "n1", 100));
    String stop = s.apply(Record.newBuilder().setJobStopped(JobStopped.newBuilder().setName("web").setTimeMs(2)).build())
        .readyEvals().iterator().next();
    s.stop(stop, "w1");
    s.report("w1", ClientStatus.CLIENT_STATUS_COMPLETE);
    s.place(batchJob("report", 1), ReplayedState.alloc("b1", "report", "n1", 100));
    String service = s.job("api", 1);
    s.place(service, ReplayedState.alloc("s1", "api", "n1", 100));
    s.report("s1", ClientStatus.CLIENT_STATUS_COMPLETE); // finished, but its job wants it run: replaced, not dead

    long t0 = 10_000_000;
    assertEquals(List.of(), collected(gc.check(s.state, t0)), "dead from now on, as far as this leader knows");
    assertEquals(List.of(), collected(gc.check(s.state, t0 + 4 * 60_000)), "the batch job's allocation still runs");
    s.report("b1", ClientStatus.CLIENT_STATUS_COMPLETE);
    assertEquals(List.of("web"), collected(gc.check(s.state, t0 + 5 * 60_000)));
    gc.done(DONE, null);
    assertTrue(s.state.job("web").isEmpty() && s.state.allocsOfJob("web").isEmpty() && s.state.latestEval("web").isEmpty()
        && s.state.jobVersions("web").isEmpty(), "the stopped job went with its versions, allocations and evaluations");

    assertEquals(List.of(), collected(gc.check(s.state, t0 + 9 * 60_000)), "the batch job is dead since t0 + 5 min");
    assertEquals(List.of("report"), collected(gc.check(s.state, t0 + 10 * 60_000)), "a batch job whose work is done");
    gc.done(DONE, null);
    assertTrue(s.state.job("report").isEmpty() && s.state.alloc("b1").isEmpty());
    assertTrue(s.state.job("api").isPresent(), "a service job is never dead while it is wanted running");
  }

  /** Registers version {@code image} of "web" rolled out behind health (an update block): a deployment. */
  void rolling(String image) {
    s.apply(Record.newBuilder().setJobRegistered(JobRegistered.newBuilder().setTimeMs(1).setSpec(
        JobSpec.newBuilder().setName("web").addGroups(GroupSpec.newBuilder().setName("g").setCount(1)
            .setUpdate(gantry.v1.UpdatePolicy.newBuilder().setMaxParallel(1).setMinHealthyTimeMs(1_000)
                .setHealthyDeadlineMs(60_000))
            .addTasks(TaskSpec.newBuilder().setName("t").setDriver("docker").setImage(image))))).build());
  }

  @Test
  void endedDeploymentsGoADeploymentThresholdAfterACheckFirstFoundThemEnded() {
    StateGc gc = new StateGc(new GcThresholds(Duration.ofDays(1), Duration.ofDays(1), Duration.ofMinutes(10), Duration.ofDays(1)));
    rolling("img:1");
    rolling("img:2"); // cancels version 1's roll-out
    String cancelled = s.state.deployments("web").getLast().getId();
    rolling("img:3"); // and version 2's

    long t0 = 10_000_000;
    assertEquals(List.of(), collected(gc.check(s.state, t0)), "ended from now on, as far as this leader knows");
    assertEquals(List.of(), collected(gc.check(s.state, t0 + 9 * 60_000)));
    List<String> ids = collected(gc.check(s.state, t0 + 10 * 60_000));
    assertEquals(2, ids.size(), "both cancelled roll-outs; version 3's runs: " + ids);
    assertTrue(ids.contains(cancelled), ids.toString());
    assertEquals(1, s.state.deployments("web").size());
  }

  @Test
  void aDownNodeWithNothingOnItGoesANodeThresholdAfterItWentDown() {
    StateGc gc = new StateGc(new GcThresholds(Duration.ofDays(30), Duration.ofDays(30), Duration.ofDays(30), Duration.ofHours(24)));
    s.node("n1", 4000, 4096).node("n2", 4000, 4096).node("n3", 4000, 4096);
    s.place(s.job("web", 1), ReplayedState.alloc("w1", "web", "n3", 100));
    long down = 10_000_000;
    for (String n : List.of("n1", "n3")) {
      s.apply(Record.newBuilder().setNodeStatusChanged(gantry.v1.NodeStatusChanged.newBuilder().setNodeId(n)
          .setStatus(gantry.v1.NodeStatus.NODE_STATUS_DOWN).setTimeMs(down)).build());
    }

    assertEquals(List.of(), collected(gc.check(s.state, down + 23 * 3_600_000)), "down for 23 hours: kept");
    assertEquals(List.of("n1"), collected(gc.check(s.state, down + 24 * 3_600_000)),
        "n2 is ready; n3 still holds an allocation");
    assertTrue(s.state.node("n1").isEmpty() && s.state.node("n2").isPresent() && s.state.node("n3").isPresent());
  }
}
