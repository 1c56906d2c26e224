package gantry.chaos.nemesis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.chaos.cluster.Reachability.Outcome;
import gantry.chaos.cluster.Reachability.Probe;
import org.junit.jupiter.api.Test;

class PartitionTest {
  @Test
  void aCutIsProvenOnlyByATimeOutAndAMovedCounter() {
    assertEquals("", Partition.unproven(new Probe(Outcome.TIMED_OUT, "nc: timed out"), 3));
    assertTrue(Partition.unproven(new Probe(Outcome.CONNECTED, ""), 3).contains("still connects"));
    assertTrue(Partition.unproven(new Probe(Outcome.REFUSED, "Connection refused"), 3).contains("still reaches"));
    assertTrue(Partition.unproven(new Probe(Outcome.TIMED_OUT, "nc: timed out"), 0).contains("dropped no packet"));
    assertTrue(Partition.unproven(new Probe(Outcome.ERROR, "exec failed"), 2).contains("probe failed"));
  }
}
