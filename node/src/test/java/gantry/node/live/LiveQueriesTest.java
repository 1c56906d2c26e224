package gantry.node.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.node.control.ControlException;
import gantry.node.control.NotLeaderException;
import gantry.v1.GetAllocLogsRequest;
import gantry.v1.GetAllocLogsResponse;
import gantry.v1.LogsReply;
import gantry.v1.ManagerMessage;
import gantry.v1.NotLeaderDetail;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class LiveQueriesTest {
  LiveStateFixture fx = new LiveStateFixture().placed("abc-1", "abd-2");
  AtomicBoolean leading = new AtomicBoolean(true);
  AgentLogs logs = new AgentLogs();
  NotLeaderDetail leader = NotLeaderDetail.newBuilder().setLeaderId("m2").setLeaderGrpcAddress("127.0.0.1:5647").build();
  LiveQueries queries = new LiveQueries(leading::get, () -> leader, () -> fx.state,
      new LiveMetrics(Clock.systemUTC()), logs);
  List<ManagerMessage> sent = new ArrayList<>();
  StreamObserver<ManagerMessage> stream = new StreamObserver<>() {
    @Override
    public void onNext(ManagerMessage m) {
      sent.add(m);
    }

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onCompleted() {}
  };

  static GetAllocLogsRequest req(String alloc) {
    return GetAllocLogsRequest.newBuilder().setAllocation(alloc).build();
  }

  static ControlException.Code code(Runnable r) {
    return assertThrows(ControlException.class, r::run).code();
  }

  @Test
  void aFollowerNamesTheLeader() {
    leading.set(false);
    assertEquals(leader, assertThrows(NotLeaderException.class, queries::metrics).detail());
    assertEquals(leader, assertThrows(NotLeaderException.class, () -> queries.logs(req("abc-1"))).detail());
  }

  @Test
  void badRequestsNameTheField() {
    assertEquals(ControlException.Code.INVALID_ARGUMENT, code(() -> queries.logs(req(""))));
    assertEquals(ControlException.Code.INVALID_ARGUMENT,
        code(() -> queries.logs(req("abc-1").toBuilder().setTailLines(-1).build())));
    ControlException ambiguous = assertThrows(ControlException.class, () -> queries.logs(req("ab")));
    assertTrue(ambiguous.getMessage().startsWith("allocation: prefix \"ab\" matches more than one"), ambiguous.getMessage());
    assertEquals(ControlException.Code.NOT_FOUND, code(() -> queries.logs(req("zz"))));
  }

  @Test
  void logsGoToTheAllocationsAgentAndItsAnswerComesBack() throws Exception {
    assertEquals(ControlException.Code.UNAVAILABLE, code(() -> queries.logs(req("abc"))), "no session yet");
    logs.opened("n1", stream);
    var answer = queries.logs(req("abc"));
    var asked = sent.getFirst().getLogsRequest();
    assertEquals("abc-1", asked.getAllocationId(), "a unique prefix is resolved");
    assertEquals(LiveQueries.DEFAULT_TAIL, asked.getTailLines());
    logs.reply("n2", LogsReply.newBuilder().setRequestId(asked.getRequestId()).setText("spoofed").build());
    logs.reply("n1", LogsReply.newBuilder().setRequestId(asked.getRequestId()).setTask("t").setText("hello\n").build());
    GetAllocLogsResponse r = answer.get();
    assertEquals("hello\n", r.getText(), "only the allocation's own node answers");
    assertEquals("n1", r.getNodeName());

    var failing = queries.logs(req("abd"));
    String id = sent.get(1).getLogsRequest().getRequestId();
    logs.reply("n1", LogsReply.newBuilder().setRequestId(id).setError("task t has not started").build());
    var e = assertThrows(java.util.concurrent.ExecutionException.class, failing::get);
    assertTrue(e.getCause() instanceof ControlException c && c.getMessage().equals("task t has not started"), e.toString());

    var cut = queries.logs(req("abd"));
    logs.closed("n1", stream);
    var e2 = assertThrows(java.util.concurrent.ExecutionException.class, cut::get);
    assertTrue(e2.getCause() instanceof ControlException c && c.code() == ControlException.Code.UNAVAILABLE, e2.toString());
  }
}
