package gantry.node.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.AllocationStatusUpdate;
import gantry.v1.AllocationUpdates;
import gantry.v1.ClientStatus;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class StatusBacklogTest {
  final StatusBacklog backlog = new StatusBacklog();

  static AllocationUpdates report(ClientStatus status, String... allocs) {
    AllocationUpdates.Builder b = AllocationUpdates.newBuilder();
    for (String a : allocs) b.addUpdates(AllocationStatusUpdate.newBuilder().setAllocationId(a).setClientStatus(status));
    return b.build();
  }

  static List<String> describe(List<StatusBacklog.Reported> taken) {
    return taken.stream().map(r -> r.nodeId() + "/" + r.update().getAllocationId() + "=" + r.update().getClientStatus()).toList();
  }

  @Test
  void aNewerReportOfAnAllocationReplacesTheOlderAndKeepsItsPlace() {
    backlog.add("n1", report(ClientStatus.CLIENT_STATUS_PENDING, "a1", "a2"));
    backlog.add("n1", report(ClientStatus.CLIENT_STATUS_RUNNING, "a1"));
    backlog.add("n1", report(ClientStatus.CLIENT_STATUS_FAILED, "a1"));
    assertEquals(2, backlog.size());
    assertEquals(List.of("n1/a1=CLIENT_STATUS_FAILED", "n1/a2=CLIENT_STATUS_PENDING"), describe(backlog.take(10)));
    assertEquals(0, backlog.size());
  }

  @Test
  void twoNodesReportingTheSameAllocationAreKeptApart() {
    // A stale agent may still report an allocation the managers moved: its report must not
    // replace the owner's, which the loop would then drop as not the stale node's to report.
    backlog.add("n1", report(ClientStatus.CLIENT_STATUS_RUNNING, "a1"));
    backlog.add("n2", report(ClientStatus.CLIENT_STATUS_FAILED, "a1"));
    assertEquals(List.of("n1/a1=CLIENT_STATUS_RUNNING", "n2/a1=CLIENT_STATUS_FAILED"), describe(backlog.take(10)));
  }

  @Test
  void takeStopsAtItsMaximumAndLeavesTheRestInOrder() {
    backlog.add("n1", report(ClientStatus.CLIENT_STATUS_RUNNING, "a1", "a2", "a3"));
    assertEquals(List.of("n1/a1=CLIENT_STATUS_RUNNING", "n1/a2=CLIENT_STATUS_RUNNING"), describe(backlog.take(2)));
    assertEquals(List.of("n1/a3=CLIENT_STATUS_RUNNING"), describe(backlog.take(2)));
  }

  @Test
  void onlyTheFirstReportWakesTheLoopUntilItSettles() {
    assertTrue(backlog.add("n1", report(ClientStatus.CLIENT_STATUS_RUNNING, "a1")));
    assertFalse(backlog.add("n2", report(ClientStatus.CLIENT_STATUS_RUNNING, "a2")), "a wake-up is already on its way");
    backlog.take(10);
    assertFalse(backlog.settle(), "nothing arrived after the take");
    assertTrue(backlog.add("n1", report(ClientStatus.CLIENT_STATUS_FAILED, "a1")), "settled: the next report wakes the loop");
  }

  @Test
  void aReportThatSlipsInBetweenTheLastTakeAndSettleIsNotStranded() {
    backlog.add("n1", report(ClientStatus.CLIENT_STATUS_RUNNING, "a1"));
    backlog.take(10);
    assertFalse(backlog.add("n1", report(ClientStatus.CLIENT_STATUS_RUNNING, "a2")), "the flag is still up: no wake-up sent");
    assertTrue(backlog.settle(), "so settle hands it back to the loop");
    assertEquals(List.of("n1/a2=CLIENT_STATUS_RUNNING"), describe(backlog.take(10)));
    assertFalse(backlog.settle());
  }

  @Test
  void clearDropsEverythingAndLowersTheFlag() {
    backlog.add("n1", report(ClientStatus.CLIENT_STATUS_RUNNING, "a1"));
    backlog.clear();
    assertEquals(List.of(), backlog.take(10));
    assertTrue(backlog.add("n1", report(ClientStatus.CLIENT_STATUS_RUNNING, "a2")));
  }

  @Test
  void underConcurrentReportsTheLoopEndsWithEachAllocationsLastStatus() throws Exception {
    // Four agents report 2,000 allocations each, every allocation pending, then running, then
    // failed, while the loop takes in small batches; the loop acts as the real one does, taking
    // on a wake-up and settling when empty. What it saw last of each allocation is "failed".
    int nodes = 4;
    int allocs = 2_000;
    ClientStatus[] sequence = {ClientStatus.CLIENT_STATUS_PENDING, ClientStatus.CLIENT_STATUS_RUNNING,
        ClientStatus.CLIENT_STATUS_FAILED};
    java.util.concurrent.LinkedBlockingQueue<Boolean> wakeUps = new java.util.concurrent.LinkedBlockingQueue<>();
    CountDownLatch start = new CountDownLatch(1);
    List<Thread> agents = new ArrayList<>();
    for (int n = 0; n < nodes; n++) {
      String node = "n" + n;
      agents.add(Thread.ofPlatform().start(() -> {
        try {
          start.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < allocs; i++) {
          for (ClientStatus s : sequence) {
            if (backlog.add(node, report(s, node + "-a" + i))) wakeUps.add(true);
          }
        }
      }));
    }
    Map<String, ClientStatus> seen = new HashMap<>();
    start.countDown();
    boolean agentsDone = false;
    while (!agentsDone || !wakeUps.isEmpty()) {
      agentsDone = agents.stream().noneMatch(Thread::isAlive);
      if (wakeUps.poll(10, java.util.concurrent.TimeUnit.MILLISECONDS) == null) continue;
      do {
        for (List<StatusBacklog.Reported> batch; !(batch = backlog.take(97)).isEmpty(); ) {
          for (StatusBacklog.Reported r : batch) seen.put(r.update().getAllocationId(), r.update().getClientStatus());
        }
      } while (backlog.settle());
    }
    for (Thread t : agents) t.join();
    assertEquals(nodes * allocs, seen.size());
    assertTrue(seen.values().stream().allMatch(s -> s == ClientStatus.CLIENT_STATUS_FAILED), "every allocation ends failed");
    assertEquals(0, backlog.size());
  }
}
