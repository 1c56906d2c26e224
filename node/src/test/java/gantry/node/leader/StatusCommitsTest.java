package gantry.node.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.node.leader.LeaderAction.Propose;
import gantry.node.leader.LeaderAction.StatusCommit;
import gantry.v1.Allocation;
import gantry.v1.AllocationMetrics;
import gantry.v1.AllocationStatusUpdate;
import gantry.v1.AllocationUpdates;
import gantry.v1.AllocationsUpdated;
import gantry.v1.ClientStatus;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Harness: the status handler on replayed state; what it proposes, and when. */
class StatusCommitsTest {
  final ReplayedState s = new ReplayedState().node("n1", 100_000, 100_000).node("n2", 100_000, 100_000);
  final StatusBacklog backlog = new StatusBacklog();
  final StatusCommits commits = new StatusCommits(backlog);

  /** Places {@code count} allocations "a0".. on {@code node}. */
  void place(String node, int count) {
    String eval = s.job("web-" + node, count);
    Allocation[] allocs = new Allocation[count];
    for (int i = 0; i < count; i++) allocs[i] = ReplayedState.alloc(node + "-a" + i, "web-" + node, node, 1);
    s.place(eval, allocs);
  }

  static AllocationStatusUpdate update(String alloc, ClientStatus status) {
    return AllocationStatusUpdate.newBuilder().setAllocationId(alloc).setClientStatus(status).build();
  }

  static List<AllocationsUpdated> records(List<LeaderAction> actions) {
    List<AllocationsUpdated> out = new ArrayList<>();
    for (LeaderAction a : actions) {
      for (var r : ((Propose) a).records()) out.add(r.getAllocationsUpdated());
    }
    return out;
  }

  @Test
  void statusIsProposedForTheNodesOwnAllocationsOnlyAndWithoutMetrics() {
    place("n1", 1);
    place("n2", 1);
    backlog.add("n1", AllocationUpdates.newBuilder()
        .addUpdates(update("n1-a0", ClientStatus.CLIENT_STATUS_RUNNING).toBuilder()
            .setMetrics(AllocationMetrics.newBuilder().setCpuPercent(50)))
        .addUpdates(update("n2-a0", ClientStatus.CLIENT_STATUS_FAILED)).build());
    List<AllocationsUpdated> r = records(commits.flush(s.state, 77));
    assertEquals(1, r.size());
    assertEquals(1, r.getFirst().getUpdatesCount(), "n1 may not report n2's allocation");
    assertEquals("n1-a0", r.getFirst().getUpdates(0).getAllocationId());
    assertFalse(r.getFirst().getUpdates(0).hasMetrics(), "metrics are not replicated");
    assertEquals(77, r.getFirst().getTimeMs());
  }

  @Test
  void reportsOfManyNodesGoInOneRecord() {
    place("n1", 3);
    place("n2", 3);
    for (String node : List.of("n1", "n2")) {
      for (int i = 0; i < 3; i++) {
        backlog.add(node, AllocationUpdates.newBuilder().addUpdates(update(node + "-a" + i, ClientStatus.CLIENT_STATUS_RUNNING)).build());
      }
    }
    List<AllocationsUpdated> r = records(commits.flush(s.state, 1));
    assertEquals(1, r.size(), "six reports, one record");
    assertEquals(6, r.getFirst().getUpdatesCount());
  }

  @Test
  void whileTheBoundIsReachedReportsWaitAndOnlyTheNewestOfEachIsProposed() {
    int count = StatusCommits.MAX_PER_RECORD * StatusCommits.MAX_IN_FLIGHT + 10;
    place("n1", count);
    for (int i = 0; i < count; i++) {
      backlog.add("n1", AllocationUpdates.newBuilder().addUpdates(update("n1-a" + i, ClientStatus.CLIENT_STATUS_RUNNING)).build());
    }
    List<LeaderAction> first = commits.flush(s.state, 1);
    assertEquals(StatusCommits.MAX_IN_FLIGHT, first.size(), "no more proposals in flight than the bound");
    records(first).forEach(r -> assertEquals(StatusCommits.MAX_PER_RECORD, r.getUpdatesCount()));
    assertEquals(10, backlog.size(), "the rest waits");

    // Meanwhile three of the waiting allocations end, and a report arrives for one being committed.
    for (int i = count - 3; i < count; i++) {
      backlog.add("n1", AllocationUpdates.newBuilder().addUpdates(update("n1-a" + i, ClientStatus.CLIENT_STATUS_FAILED)).build());
    }
    backlog.add("n1", AllocationUpdates.newBuilder().addUpdates(update("n1-a0", ClientStatus.CLIENT_STATUS_COMPLETE)).build());
    assertEquals(List.of(), commits.flush(s.state, 2), "a wake-up while the bound is reached proposes nothing");

    StatusCommit tag = (StatusCommit) ((Propose) first.getFirst()).tag();
    List<AllocationsUpdated> next = records(commits.done(tag, s.state, 3));
    assertEquals(1, next.size());
    AllocationsUpdated r = next.getFirst();
    assertEquals(11, r.getUpdatesCount(), "ten waiting allocations and the newer report of one committed");
    for (AllocationStatusUpdate u : r.getUpdatesList()) {
      int i = Integer.parseInt(u.getAllocationId().substring("n1-a".length()));
      ClientStatus want = i == 0 ? ClientStatus.CLIENT_STATUS_COMPLETE
          : i >= count - 3 ? ClientStatus.CLIENT_STATUS_FAILED : ClientStatus.CLIENT_STATUS_RUNNING;
      assertEquals(want, u.getClientStatus(), u.getAllocationId());
    }
    assertEquals(StatusCommits.MAX_IN_FLIGHT, commits.inFlight());
    assertTrue(backlog.add("n1", AllocationUpdates.newBuilder().addUpdates(update("n1-a1", ClientStatus.CLIENT_STATUS_FAILED)).build())
        == false, "the bound is reached again: the flag stays up, and the next outcome takes more");
  }

  @Test
  void anOutcomeOfAnEarlierLeadershipFreesNoRoom() {
    place("n1", 3);
    backlog.add("n1", AllocationUpdates.newBuilder().addUpdates(update("n1-a0", ClientStatus.CLIENT_STATUS_RUNNING)).build());
    StatusCommit old = (StatusCommit) ((Propose) commits.flush(s.state, 1).getFirst()).tag();
    commits.reset();
    backlog.add("n1", AllocationUpdates.newBuilder().addUpdates(update("n1-a1", ClientStatus.CLIENT_STATUS_RUNNING)).build());
    backlog.add("n1", AllocationUpdates.newBuilder().addUpdates(update("n1-a2", ClientStatus.CLIENT_STATUS_RUNNING)).build());
    assertEquals(1, commits.flush(s.state, 2).size());
    assertEquals(1, commits.inFlight());
    assertEquals(List.of(), commits.done(old, s.state, 3));
    assertEquals(1, commits.inFlight(), "the old leadership's outcome is not this one's");
  }

  @Test
  void aLeadershipChangeDropsWhatWaited() {
    place("n1", 1);
    backlog.add("n1", AllocationUpdates.newBuilder().addUpdates(update("n1-a0", ClientStatus.CLIENT_STATUS_RUNNING)).build());
    commits.reset();
    assertEquals(List.of(), commits.flush(s.state, 1), "agents send everything again on their new session");
  }
}
