package gantry.node.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.AllocationMetrics;
import gantry.v1.AllocationStatusUpdate;
import gantry.v1.AllocationUpdates;
import gantry.v1.NodeMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class LiveMetricsTest {
  Instant now = Instant.parse("2026-01-01T00:00:00Z");
  Clock clock = new Clock() {
    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  };
  LiveMetrics metrics = new LiveMetrics(clock);

  static AllocationUpdates sample(String id, double cpu, long mem, long at) {
    return AllocationUpdates.newBuilder().addUpdates(AllocationStatusUpdate.newBuilder().setAllocationId(id)
        .setMetrics(AllocationMetrics.newBuilder().setCpuPercent(cpu).setMemoryMb(mem).setTimeMs(at))).build();
  }

  @Test
  void keepsTheLatestSampleOfEachAllocationAndNode() {
    metrics.allocations(sample("a1", 1.5, 10, 1));
    metrics.allocations(sample("a1", 2.5, 12, 2));
    metrics.allocations(AllocationUpdates.newBuilder().addUpdates(AllocationStatusUpdate.newBuilder().setAllocationId("a2")).build());
    metrics.node("n1", NodeMetrics.newBuilder().setCpuPercent(2.5).setMemoryUsedMb(12).setRunningAllocations(1).setTimeMs(2).build());
    metrics.node("n2", NodeMetrics.getDefaultInstance());
    var snap = metrics.snapshot();
    assertEquals(12, snap.getAllocationsOrThrow("a1").getMemoryMb());
    assertTrue(!snap.containsAllocations("a2"), "a status without a sample adds nothing");
    assertEquals(1, snap.getNodesOrThrow("n1").getRunningAllocations());
    assertTrue(!snap.containsNodes("n2"), "an empty heartbeat adds nothing");
  }

  @Test
  void samplesOlderThanMaxAgeAreDropped() {
    metrics.allocations(sample("old", 1, 1, 1));
    now = now.plus(LiveMetrics.MAX_AGE).plus(Duration.ofSeconds(1));
    metrics.allocations(sample("new", 1, 1, 2));
    var snap = metrics.snapshot();
    assertTrue(!snap.containsAllocations("old"), "its allocation stopped reporting");
    assertTrue(snap.containsAllocations("new"));
    assertTrue(metrics.allocation("old").isEmpty());
  }
}
