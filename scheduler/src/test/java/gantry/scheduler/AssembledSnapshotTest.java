package gantry.scheduler;

import static gantry.scheduler.Fixtures.alloc;
import static gantry.scheduler.Fixtures.eval;
import static gantry.scheduler.Fixtures.group;
import static gantry.scheduler.Fixtures.groupWithPort;
import static gantry.scheduler.Fixtures.job;
import static gantry.scheduler.Fixtures.uniformNodes;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gantry.v1.AllocatedPort;
import gantry.v1.Allocation;
import gantry.v1.Job;
import gantry.v1.Node;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A snapshot assembled from a node table, usage arrays and only the evaluated job (as the
 * leader builds one per evaluation) must decide exactly as one built from everything.
 */
class AssembledSnapshotTest {
  final List<Node> nodes = uniformNodes(30, 2000, 4096);
  final Job other = job("other", "service", 1, groupWithPort("g", 40, 300, 256, 0));
  final Job web = job("web", "service", 2, groupWithPort("g", 25, 250, 128, 0), group("h", 5, 900, 1024));

  List<Allocation> background() {
    List<Allocation> out = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      Node n = nodes.get((i * 7) % nodes.size());
      out.add(alloc("o" + i, other, "g", i, n, 300, 256)
          .addPorts(AllocatedPort.newBuilder().setTask("t").setName("http").setHost(20000 + i).setTo(8080)).build());
    }
    for (int i = 0; i < 10; i++) {
      out.add(alloc("w" + i, web, "g", i, nodes.get(i), 250, 128).setJobVersion(1).build());
    }
    return out;
  }

  @Test
  void decidesAsASnapshotOfEverything() {
    List<Allocation> all = background();
    ClusterSnapshot full = ClusterSnapshot.of(9, nodes, List.of(other, web), all);
    NodeTable table = NodeTable.of(nodes);
    int n = table.size();
    long[] cpu = new long[n];
    long[] mem = new long[n];
    BitSet[] ports = new BitSet[n];
    for (int i = 0; i < n; i++) {
      cpu[i] = full.cpuUsed(i);
      mem[i] = full.memUsed(i);
      ports[i] = (BitSet) full.portsUsedView(i).clone();
    }
    List<Allocation> webOnly = all.stream().filter(a -> a.getJob().equals("web")).toList();
    ClusterSnapshot assembled = ClusterSnapshot.of(9, table, cpu, mem, ports, List.of(web), webOnly);

    Scheduler s = new Scheduler();
    Plan fromFull = s.schedule(full, eval("e1", "web"));
    Plan fromAssembled = s.schedule(assembled, eval("e1", "web"));
    assertEquals(fromFull, fromAssembled);
    assertEquals(PlanChecker.check(full, fromFull), PlanChecker.check(assembled, fromAssembled));
  }

  @Test
  void usageArraysMustCoverEveryNode() {
    NodeTable table = NodeTable.of(nodes);
    BitSet[] ports = new BitSet[nodes.size()];
    assertThrows(IllegalArgumentException.class,
        () -> ClusterSnapshot.of(1, table, new long[3], new long[nodes.size()], ports, List.of(), List.of()));
  }
}
