package gantry.scheduler.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.scheduler.ClusterSnapshot;
import gantry.scheduler.Plan;
import gantry.scheduler.Scheduler;
import gantry.v1.Allocation;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The benchmark measures real work: every replica placed, on ssd nodes, spread over the racks. */
class PlacementBenchmarkTest {
  @Test
  void benchmarkJobIsFullyPlacedAndSpread() {
    ClusterSnapshot snap = PlacementBenchmark.cluster(1000);
    Plan p = new Scheduler().schedule(snap, PlacementBenchmark.evaluation());
    assertEquals(PlacementBenchmark.REPLICAS, p.placements().size());
    Map<String, Integer> racks = new HashMap<>();
    for (Allocation a : p.placements()) {
      var n = snap.node(snap.nodeIndex(a.getNodeId()));
      assertEquals("ssd", n.getLabelsMap().get("disk"));
      racks.merge(n.getLabelsMap().get("rack"), 1, Integer::sum);
    }
    assertEquals(20, racks.size());
    assertTrue(racks.values().stream().allMatch(c -> c >= 48 && c <= 52), racks.toString());
  }
}
