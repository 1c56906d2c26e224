package gantry.node.autoscale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.Allocation;
import gantry.v1.AllocationMetrics;
import gantry.v1.Resources;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class UtilizationWindowTest {
  static Sample sample(String id, long t, double cpuMillicores, long memoryMiB) {
    return new Sample(id, "web/frontend", t, cpuMillicores, memoryMiB, 1_000, 512);
  }

  @Test
  void aReportIsAPercentOfTheAllocationsReservation() {
    var alloc = Allocation.newBuilder().setId("a0").setJob("web").setGroup("frontend")
        .setResources(Resources.newBuilder().setCpu(250).setMemory(128)).build();
    var s = Sample.of(alloc, AllocationMetrics.newBuilder().setCpuPercent(50).setMemoryMb(64).setTimeMs(1).build(), 10_000);
    assertEquals("web/frontend", s.group());
    assertEquals(200, s.cpuPercent(), 1e-9, "half a core on a quarter-core reservation");
    assertEquals(50, s.memoryPercent(), 1e-9);
  }

  @Test
  void eachAllocationWeighsTheSameWhateverItsNumberOfSamples() {
    var w = new UtilizationWindow();
    for (long t = 0; t <= 30_000; t += 5_000) w.add(sample("a0", t, 100, 0));
    w.add(sample("a1", 30_000, 900, 256));
    Signal s = w.signal(List.of("a0", "a1"), 30_000, 30_000);
    assertEquals(50, s.cpuPercent(), 1e-9, "(10% + 90%) / 2, not weighted by a0's seven samples");
    assertEquals(25, s.memoryPercent(), 1e-9);
    assertEquals(30_000, s.coveredMs());
    assertTrue(s.coversWindow());
  }

  @Test
  void samplesOutsideTheWindowOrOfOtherAllocationsAreIgnored() {
    var w = new UtilizationWindow();
    w.add(sample("a0", 0, 1_000, 0)); // before the window
    w.add(sample("a0", 40_000, 200, 0));
    w.add(sample("stopped", 40_000, 1_000, 0));
    Signal s = w.signal(Set.of("a0", "a1"), 30_000, 45_000);
    assertEquals(20, s.cpuPercent(), 1e-9);
    assertEquals(Set.of("a0"), s.reporting());
    assertEquals(Set.of("a1"), s.silent());
    assertEquals(5_000, s.coveredMs());
    assertFalse(s.coversWindow(), "5 s of reports do not describe 30 s");
  }

  @Test
  void noSamplesIsNoSignal() {
    Signal s = new UtilizationWindow().signal(List.of("a0"), 30_000, 1_000);
    assertFalse(s.hasSamples());
    assertFalse(s.coversWindow());
    assertEquals(Set.of("a0"), s.silent());
  }

  @Test
  void oldSamplesAndForgottenAllocationsArePruned() {
    var w = new UtilizationWindow(60_000);
    w.add(sample("a0", 0, 100, 0));
    w.add(sample("a1", 50_000, 100, 0));
    w.add(sample("a2", 50_000, 100, 0));
    w.prune(61_000);
    assertEquals(2, w.allocations(), "a0's only sample is past the maximum age");
    w.forget("a2");
    assertEquals(1, w.allocations());
    w.add(new Sample("a3", "web/frontend", 61_000, 100, 10, 0, 512));
    assertEquals(1, w.allocations(), "a sample of an allocation reserving nothing has no percentage");
  }

  @Test
  void recommendationsKeepOnlyWhatCanStillBeTheHighest() {
    var r = Recommendations.NONE.with(0, 3, 60_000).with(1_000, 5, 60_000).with(2_000, 4, 60_000).with(3_000, 2, 60_000);
    assertEquals(5, r.highestSince(0).getAsInt());
    assertEquals(4, r.highestSince(1_500).getAsInt());
    assertEquals(3, r.entries().size(), "3 at 0 can never be the highest again: 5 came later");
    assertEquals(2, r.with(62_500, 1, 60_000).highestSince(2_500).getAsInt(), "5 and 4 aged out");
  }
}
