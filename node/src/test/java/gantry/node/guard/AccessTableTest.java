package gantry.node.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.ControlServiceGrpc;
import io.grpc.MethodDescriptor;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccessTableTest {
  @Test
  void everyControlServiceMethodHasARule() {
    List<String> missing = ControlServiceGrpc.getServiceDescriptor().getMethods().stream()
        .map(MethodDescriptor::getFullMethodName).filter(m -> AccessTable.grpc(m).isEmpty()).toList();
    assertEquals(List.of(), missing, "add these to AccessTable: a method without a rule is refused");
  }

  @Test
  void onlyGetLeaderAndBootstrapAreOpen() {
    List<String> open = ControlServiceGrpc.getServiceDescriptor().getMethods().stream()
        .map(MethodDescriptor::getFullMethodName).filter(m -> AccessTable.grpc(m).orElseThrow().open())
        .map(m -> m.substring(m.indexOf('/') + 1)).sorted().toList();
    assertEquals(List.of("BootstrapAcl", "GetLeader"), open);
    assertEquals("events:read", AccessTable.method("WatchEvents").orElseThrow().need().toString());
    assertEquals("jobs:read", AccessTable.method("WatchService").orElseThrow().need().toString());
    assertTrue(AccessTable.method("DeregisterJob").orElseThrow().audited());
    assertEquals("GetJob", AccessTable.http("GET", "/v1/job/{name}").orElseThrow().method());
    // The web UI's files are open pages, never API routes; an API route is never a page.
    for (String page : List.of("/", "/ui/jobs/{name}", "/ui/assets/{file}")) {
      assertTrue(AccessTable.page("GET", page), page);
      assertTrue(AccessTable.http("GET", page).isEmpty(), page);
    }
    assertFalse(AccessTable.page("GET", "/v1/jobs"));
  }
}
