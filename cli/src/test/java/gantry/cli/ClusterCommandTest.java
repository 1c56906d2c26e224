package gantry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import gantry.v1.DrainNodeResponse;
import gantry.v1.GetJobResponse;
import gantry.v1.ListAllocationsResponse;
import gantry.v1.ListNodesResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** job status, alloc ls, node ls and node drain against the fake ControlService: tables, JSON, exit codes. */
class ClusterCommandTest extends FakeServerTest {
  /** The cells of the first output line whose first cell is {@code first}; column widths do not matter. */
  private static List<String> row(String out, String first) {
    return out.lines().map(l -> List.of(l.strip().split("\\s+"))).filter(cells -> cells.getFirst().equals(first))
        .findFirst().orElseThrow(() -> new AssertionError("no row starting with " + first + " in\n" + out));
  }

  /** A table's header: the row starting with {@code first}, skipping "Key = value" lines (job status has "ID = ..."). */
  private static List<String> header(String out, String first) {
    return row(out.lines().filter(l -> !l.contains(" = ")).collect(java.util.stream.Collectors.joining("\n")), first);
  }

  @Test
  void jobStatusShowsGroupCountsPlacementFailuresAndAllocations() {
    var status = client("job", "status", "web");
    assertEquals(0, status.exitCode(), status.err());
    String out = status.out();
    assertTrue(out.contains("Name       = web"), out);
    assertTrue(out.contains("GROUP     DESIRED  PLACED  RUNNING  PENDING  FAILED  LOST\n"
        + "frontend  3        2       1        1        0       0\n"), out);
    assertTrue(out.contains("Placement failure: group \"frontend\": " + FakeControlServer.UNPLACED + "\n"), out);
    assertTrue(out.contains("\nAllocations\n"), out);
    assertEquals(List.of("ID", "GROUP", "INDEX", "NODE", "VERSION", "DESIRED", "STATUS", "HEALTH"), header(out, "ID"));
    assertEquals(List.of("0f0f0f0f", "frontend", "0", "a1", "2", "run", "running", "healthy"), row(out, "0f0f0f0f"));
    assertEquals(List.of("1e1e1e1e", "frontend", "1", "a1", "2", "run", "pending", "-"), row(out, "1e1e1e1e"));
    assertEquals(List.of("2d2d2d2d", "frontend", "2", "a2", "1", "stop", "complete", "unhealthy"), row(out, "2d2d2d2d"));
    // Groups before the failure line, the failure line before the allocations.
    assertTrue(out.indexOf("frontend  3") < out.indexOf("Placement failure") && out.indexOf("Placement failure") < out.indexOf("Allocations"), out);
  }

  @Test
  void jobStatusJsonIsTheGetJobResponse() throws Exception {
    var json = client("job", "status", "web", "--json");
    assertEquals(0, json.exitCode(), json.err());
    var response = GetJobResponse.newBuilder();
    JsonFormat.parser().merge(json.out(), response);
    assertEquals(FakeControlServer.WEB, response.getJob());
    assertEquals(List.of(FakeControlServer.FRONTEND), response.getGroupsList());
    assertTrue(json.out().contains("\"unplacedReason\""), json.out());

    var missing = client("job", "status", "nope");
    assertEquals(1, missing.exitCode());
    assertEquals("job \"nope\" not found", missing.err().strip());
  }

  @Test
  void allocListShowsUsagePortsAndHealth() {
    var ls = client("alloc", "ls");
    assertEquals(0, ls.exitCode(), ls.err());
    String out = ls.out();
    assertEquals(List.of("ID", "NODE", "JOB", "GROUP", "INDEX", "DESIRED", "STATUS", "HEALTH", "CPU%", "MEM(MiB)", "PORTS"),
        header(out, "ID"));
    assertEquals(List.of("0f0f0f0f", "a1", "web", "frontend", "0", "run", "running", "healthy", "12.3", "42",
        "http=23456->8080"), row(out, "0f0f0f0f"));
    // No usage reported yet: "-" rather than a 0 that reads as idle.
    assertEquals(List.of("1e1e1e1e", "a1", "web", "frontend", "1", "run", "pending", "-", "-", "-", "-"), row(out, "1e1e1e1e"));
    assertEquals(4, out.lines().count(), out);
  }

  @Test
  void allocListFiltersAndJson() throws Exception {
    var onA2 = client("alloc", "ls", "--node", "a2");
    assertEquals(0, onA2.exitCode(), onA2.err());
    assertEquals(2, onA2.out().lines().count(), onA2.out());
    assertTrue(onA2.out().contains("2d2d2d2d"), onA2.out());

    var none = client("alloc", "ls", "--job", "api");
    assertEquals(0, none.exitCode(), none.err());
    assertEquals("No allocations", none.out().strip());

    var json = client("alloc", "ls", "--job", "web", "--json");
    assertEquals(0, json.exitCode(), json.err());
    var response = ListAllocationsResponse.newBuilder();
    JsonFormat.parser().merge(json.out(), response);
    assertEquals(FakeControlServer.ALLOCATIONS, response.getAllocationsList());
  }

  @Test
  void nodeListCountsLiveAllocationsPerNode() throws Exception {
    var ls = client("node", "ls");
    assertEquals(0, ls.exitCode(), ls.err());
    String out = ls.out();
    assertEquals(List.of("ID", "NAME", "STATUS", "ELIGIBLE", "DRAIN", "CPU", "MEM", "DRIVERS", "ALLOCS", "CPU%", "USED(MiB)"),
        header(out, "ID"));
    // This server has no live metrics (GetLiveMetrics unimplemented): "-", not 0.
    assertEquals(List.of("a1a1a1a1", "a1", "ready", "true", "false", "4000", "8192", "docker,exec", "2", "-", "-"),
        row(out, "a1a1a1a1"));
    // a2's only allocation is stopped and complete: it holds nothing.
    assertEquals(List.of("a2a2a2a2", "a2", "ready", "false", "true", "2000", "1024", "exec", "0", "-", "-"),
        row(out, "a2a2a2a2"));
    var withMetrics = new java.io.StringWriter();
    gantry.cli.output.NodeViews.printList(new java.io.PrintWriter(withMetrics), List.of(FakeControlServer.NODES.getFirst()
        .toBuilder().setMetrics(gantry.v1.NodeMetrics.newBuilder().setCpuPercent(12.34).setMemoryUsedMb(96)
            .setTimeMs(1)).build()), java.util.Map.of());
    assertEquals(List.of("12.3", "96"), row(withMetrics.toString(), "a1a1a1a1").subList(9, 11));

    var json = client("node", "ls", "--json");
    assertEquals(0, json.exitCode(), json.err());
    var response = ListNodesResponse.newBuilder();
    JsonFormat.parser().merge(json.out(), response);
    assertEquals(FakeControlServer.NODES, response.getNodesList());
  }

  @Test
  void nodeDrainAndUndo() throws Exception {
    var drain = client("node", "drain", "a1");
    assertEquals(0, drain.exitCode(), drain.err());
    assertEquals("Node \"a1\" draining", drain.out().strip());
    assertTrue(FakeControlServer.lastDrain.getDrain());

    // By id, the user still reads the name.
    var undo = client("node", "drain", FakeControlServer.A1_ID, "--disable");
    assertEquals(0, undo.exitCode(), undo.err());
    assertEquals("Node \"a1\" no longer draining", undo.out().strip());
    assertEquals(false, FakeControlServer.lastDrain.getDrain());

    var json = client("node", "drain", "a2", "--json");
    assertEquals(0, json.exitCode(), json.err());
    var response = DrainNodeResponse.newBuilder();
    JsonFormat.parser().merge(json.out(), response);
    assertNotNull(response.getNode());
    assertTrue(response.getNode().getDraining());
    assertEquals("a2", response.getNode().getName());
  }

  @Test
  void nodeDrainOfAnUnknownNodeExitsOne() {
    var missing = client("node", "drain", "x");
    assertEquals(1, missing.exitCode());
    assertEquals("node \"x\" not found", missing.err().strip());
    assertEquals("", missing.out());
  }

  @Test
  void usageErrorsOfTheNewVerbs() {
    assertEquals(2, Cli.run("node").exitCode());
    assertEquals(2, Cli.run("alloc").exitCode());
    assertEquals(2, Cli.run("node", "drain").exitCode());
    assertEquals(2, Cli.run("alloc", "ls", "--job").exitCode());
  }
}
