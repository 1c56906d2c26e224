package gantry.node.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.Allocation;
import gantry.v1.ClientStatus;
import gantry.v1.Evaluation;
import gantry.v1.GarbageCollected;
import gantry.v1.Job;
import gantry.v1.Record;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the GC may delete now, and how it is packed into records. */
class GarbageSelectionTest extends GarbageHarness {
  static final long NOW = 3_600_000;

  /** Every id the records name: evaluations, allocations, then jobs, record by record. */
  static List<String> ids(GarbageSelection.Selection s) {
    List<String> ids = new ArrayList<>();
    for (GarbageCollected r : s.records()) {
      ids.addAll(r.getEvalIdsList());
      ids.addAll(r.getAllocIdsList());
      ids.addAll(r.getJobsList());
    }
    return ids;
  }

  @Test
  void anyAgeSelectsEverythingCollectableAndApplyingItLeavesNothingToSelect() {
    apply(SchedulingReplayTest.node("n1", 4000, 4096));
    Evaluation webFirst = register("web", 2);
    finish(webFirst, 1_000, alloc("w1", "web", 1_000), alloc("w2", "web", 1_000));
    Evaluation webLatest = finish(register("web", 1), 2_000);
    stop(webLatest, "w2");
    apply(SchedulingReplayTest.update("w2", ClientStatus.CLIENT_STATUS_COMPLETE));
    Evaluation oldFirst = register("old", 1);
    finish(oldFirst, 1_000, alloc("o1", "old", 1_000));
    Evaluation oldStop = state.eval(apply(ClusterStateTest.stop("old")).readyEvals().iterator().next()).orElseThrow();
    stop(oldStop, "o1");
    finish(oldStop, 3_000);
    apply(SchedulingReplayTest.update("o1", ClientStatus.CLIENT_STATUS_COMPLETE));

    GarbageSelection.Selection s = GarbageSelection.select(state, NOW, GarbageSelection.ANY_AGE, 5);

    assertFalse(s.more());
    assertEquals(1, s.records().size());
    assertEquals(NOW, s.records().getFirst().getTimeMs(), "the record carries the time replay judges failures by");
    List<String> ids = ids(s);
    assertTrue(ids.contains(webFirst.getId()), "a finished evaluation other than the job's latest: " + ids);
    assertFalse(ids.contains(webLatest.getId()), "the running job's latest stays");
    assertTrue(ids.contains("w2"), "stopped and finished on its agent");
    assertFalse(ids.contains("w1"), "running");
    assertTrue(s.records().getFirst().getJobsList().contains("old"), "stopped, nothing of it running or to run");
    assertFalse(s.records().getFirst().getJobsList().contains("web"));

    for (GarbageCollected r : s.records()) apply(Record.newBuilder().setGarbageCollected(r).build());
    assertTrue(state.job("old").isEmpty() && state.alloc("w2").isEmpty() && state.eval(webFirst.getId()).isEmpty());
    assertTrue(state.alloc("w1").isPresent() && state.eval(webLatest.getId()).isPresent());
    assertEquals(List.of(), GarbageSelection.select(state, NOW, GarbageSelection.ANY_AGE, 5).records(),
        "what replay kept is not collectable");
  }

  @Test
  void packsAboutAThousandDeletionsARecordUpToTheLimitAndSaysWhenMoreIsLeft() {
    for (int i = 0; i < 2_501; i++) finish(register("web", 1 + i % 2), 1_000);
    finish(register("web", 3), 1_000); // the latest stays

    GarbageSelection.Selection two = GarbageSelection.select(state, NOW, GarbageSelection.ANY_AGE, 2);
    assertEquals(List.of(1_000, 1_000), two.records().stream().map(GarbageCollected::getEvalIdsCount).toList());
    assertTrue(two.more(), "501 evaluations and the versions were left out");

    // 2,501 evaluations, then 2,496 of the 2,502 versions (the newest six stay).
    GarbageSelection.Selection all = GarbageSelection.select(state, NOW, GarbageSelection.ANY_AGE, 5);
    assertEquals(List.of(1_000, 1_000, 501, 0, 0), all.records().stream().map(GarbageCollected::getEvalIdsCount).toList());
    assertEquals(List.of(0, 0, 499, 1_000, 997), all.records().stream().map(GarbageCollected::getVersionsCount).toList());
    assertFalse(all.more());
    assertThrows(IllegalArgumentException.class, () -> GarbageSelection.select(state, NOW, GarbageSelection.ANY_AGE, 0));
  }

  @Test
  void asksTheAgeOfEveryCollectableItemEvenOnceTheRecordsAreFull() {
    apply(SchedulingReplayTest.node("n1", 4000, 4096));
    Evaluation e = register("web", 3);
    for (int i = 0; i < 1_200; i++) finish(register("web", 1 + i % 2), 1_000);
    finish(e, 1_000, alloc("a1", "web", 1_000), alloc("a2", "web", 1_000));
    stop(e, "a1");
    stop(e, "a2");
    apply(SchedulingReplayTest.update("a1", ClientStatus.CLIENT_STATUS_COMPLETE));
    apply(SchedulingReplayTest.update("a2", ClientStatus.CLIENT_STATUS_COMPLETE));
    List<String> asked = new ArrayList<>();
    GarbageSelection.Age youngAllocs = new GarbageSelection.Age() {
      @Override
      public boolean evalOldEnough(Evaluation ev) {
        return true;
      }

      @Override
      public boolean allocOldEnough(Allocation a) {
        asked.add(a.getId());
        return !a.getId().equals("a2");
      }

      @Override
      public boolean deploymentOldEnough(gantry.v1.Deployment d) {
        return true;
      }

      @Override
      public boolean jobOldEnough(Job j) {
        return true;
      }

      @Override
      public boolean nodeOldEnough(gantry.v1.Node n) {
        return true;
      }
    };

    GarbageSelection.Selection s = GarbageSelection.select(state, NOW, youngAllocs, 1);

    assertEquals(List.of("a1", "a2"), asked.stream().sorted().toList(),
        "both allocations were asked (the leader notes when it first saw each) though the one record was full");
    assertEquals(1_000, s.records().getFirst().getEvalIdsCount());
    assertTrue(s.more());
    GarbageSelection.Selection next = GarbageSelection.select(state, NOW, youngAllocs, 2);
    assertEquals(List.of("a1"), next.records().getLast().getAllocIdsList(), "a2 is not old enough");
  }

  @Test
  void listsEndedDeploymentsButTheNewestAndVersionsBeyondThoseKept() {
    rollOutVersions();

    GarbageSelection.Selection s = GarbageSelection.select(state, NOW, GarbageSelection.ANY_AGE, 5);

    GarbageCollected r = s.records().getFirst();
    assertEquals(List.of(2L, 3L), r.getVersionsList().stream().map(gantry.v1.JobVersionRef::getVersion).sorted().toList(),
        "versions 4-9 are the newest six; 1 is the newest stable before the current 9");
    List<Long> deployed = r.getDeploymentIdsList().stream()
        .map(id -> state.deployment(id).orElseThrow().getJobVersion()).sorted().toList();
    assertEquals(List.of(2L, 3L, 4L, 5L, 6L, 7L, 8L), deployed, "the cancelled roll-outs; version 9's runs");
    for (GarbageCollected g : s.records()) apply(Record.newBuilder().setGarbageCollected(g).build());
    assertEquals(List.of(1L, 4L, 5L, 6L, 7L, 8L, 9L), state.jobVersions("web").stream().map(Job::getVersion).toList());
    assertEquals(List.of(), GarbageSelection.select(state, NOW, GarbageSelection.ANY_AGE, 5).records());
  }
}
