package gantry.node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gantry.node.control.ControlException;
import gantry.node.control.NotLeaderException;
import gantry.spec.InvalidSpecException;
import gantry.spec.SpecException;
import gantry.v1.NotLeaderDetail;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.ratis.protocol.exceptions.RaftException;
import org.junit.jupiter.api.Test;

class HttpErrorsTest {
  @Test
  void specFailuresAre400NamingTheFirstField() {
    var f = HttpErrors.of(new InvalidSpecException(List.of("groups[0].count: must be within 0..1000, got -1",
        "groups[1].tasks[0].driver: is required")));
    assertEquals(400, f.status());
    assertEquals(Optional.of("groups[0].count"), f.field());
    var parse = HttpErrors.of(new SpecException("groups[0].tasks[1].resources.memory", "expected a number"));
    assertEquals(400, parse.status());
    assertEquals(Optional.of("groups[0].tasks[1].resources.memory"), parse.field());
  }

  @Test
  void controlCodesMapOntoStatuses() {
    assertEquals(400, HttpErrors.of(control(ControlException.Code.INVALID_ARGUMENT, "count: must be within 0..1000")).status());
    assertEquals(404, HttpErrors.of(control(ControlException.Code.NOT_FOUND, "job \"x\" not found")).status());
    assertEquals(409, HttpErrors.of(control(ControlException.Code.FAILED_PRECONDITION, "peer m1 has diverged: x")).status());
    assertEquals(503, HttpErrors.of(control(ControlException.Code.UNAVAILABLE, "no leader known")).status());
    assertEquals(503, HttpErrors.of(new NotLeaderException(NotLeaderDetail.getDefaultInstance())).status());
  }

  @Test
  void wrappedFailuresAreUnwrapped() {
    var nested = new ExecutionException(new CompletionException(control(ControlException.Code.NOT_FOUND, "job \"x\" not found")));
    assertEquals(404, HttpErrors.of(nested).status());
  }

  @Test
  void raftAndTimeoutsAreUnavailableAndNameNoField() {
    var raft = HttpErrors.of(new CompletionException(new RaftException("leader unknown")));
    assertEquals(503, raft.status());
    assertEquals(Optional.empty(), raft.field(), "\"Raft: ...\" is not a field of the request");
    assertEquals(503, HttpErrors.of(new IOException("closed")).status());
    assertEquals(503, HttpErrors.of(new TimeoutException("no answer")).status());
    assertEquals(500, HttpErrors.of(new NullPointerException()).status());
  }

  @Test
  void javalinResponsesKeepTheirStatus() {
    assertEquals(501, HttpErrors.of(new HttpResponseException(501, "not served")).status());
    assertEquals(404, HttpErrors.of(new HttpResponseException(404, "Endpoint GET /x not found")).status());
  }

  @Test
  void fieldIsOnlyALeadingPath() {
    assertEquals(Optional.of("id"), HttpErrors.fieldOf("id: prefix \"ab\" is too short"));
    assertEquals(Optional.of("spec"), HttpErrors.fieldOf("spec: invalid YAML at line 2"));
    assertEquals(Optional.of("groups[10].spread[0].targets[2].percent"),
        HttpErrors.fieldOf("groups[10].spread[0].targets[2].percent: too large"));
    assertEquals(Optional.empty(), HttpErrors.fieldOf("job \"web\" not found"));
    assertEquals(Optional.empty(), HttpErrors.fieldOf("peer m1 has diverged: reason"));
    assertEquals(Optional.empty(), HttpErrors.fieldOf("count:no space"));
    // keys that are no word, quoted by the parser (an unknown key found by ParserFuzzTest)
    assertEquals(Optional.of("\"\""), HttpErrors.fieldOf("\"\": unknown field (known: job)"));
    assertEquals(Optional.of("groups[0].\"a b\\\"\\u000a\""),
        HttpErrors.fieldOf("groups[0].\"a b\\\"\\u000a\": unknown field (known: name)"));
    assertEquals(Optional.empty(), HttpErrors.fieldOf(null));
  }

  private static ControlException control(ControlException.Code code, String message) {
    return new ControlException(code, message);
  }
}
