package gantry.agent.session;

import static gantry.agent.Waits.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.AgentMessage;
import gantry.v1.AllocationStatusUpdate;
import gantry.v1.Assignments;
import gantry.v1.ClientStatus;
import gantry.v1.ManagerMessage;
import gantry.v1.Node;
import gantry.v1.NodeMetrics;
import gantry.v1.NotLeader;
import gantry.v1.RegisterNodeRequest;
import gantry.v1.RegisterNodeResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The session's logic over an in-memory transport: no sockets. */
class AgentSessionTest {
  static final Duration WAIT = Duration.ofSeconds(5);
  final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  final List<String> attempts = new CopyOnWriteArrayList<>();
  final List<AgentMessage> sent = new CopyOnWriteArrayList<>();
  final List<Assignments> delivered = new CopyOnWriteArrayList<>();
  volatile ManagerTransport.StreamListener listener;
  volatile String leader = "b:1";

  final ManagerTransport transport = new ManagerTransport() {
    @Override
    public CompletableFuture<RegisterNodeResponse> register(String address, RegisterNodeRequest r, Duration t) {
      attempts.add(address);
      if (address.equals(leader)) {
        return CompletableFuture.completedFuture(RegisterNodeResponse.newBuilder().setHeartbeatTtlMs(300).build());
      }
      if (address.equals("a:1")) {
        return CompletableFuture.failedFuture(new NotLeaderException(""));
      }
      return CompletableFuture.failedFuture(new IOException("connection refused"));
    }

    @Override
    public SessionStream openSession(String address, StreamListener l) {
      listener = l;
      return new SessionStream() {
        @Override
        public void send(AgentMessage message) {
          sent.add(message);
        }

        @Override
        public void close() { }
      };
    }

    @Override
    public void close() { }
  };

  final SessionHandler handler = new SessionHandler() {
    @Override
    public void onAssignments(Assignments a) {
      delivered.add(a);
    }

    @Override
    public List<AllocationStatusUpdate> currentStatus() {
      return List.of(update("x", ClientStatus.CLIENT_STATUS_RUNNING));
    }

    @Override
    public NodeMetrics nodeMetrics() {
      return NodeMetrics.newBuilder().setRunningAllocations(1).build();
    }
  };

  final AgentSession session = new AgentSession(new AgentSession.Settings(List.of("a:1", "c:1", "b:1"),
      Duration.ofSeconds(3), Duration.ZERO, Duration.ofSeconds(1), Duration.ofMillis(10), Duration.ofMillis(50),
      Duration.ofMillis(30)), Node.newBuilder().setId("node-1").setName("n").build(), transport, scheduler,
      Clock.systemUTC(), handler);

  @AfterEach
  void stop() {
    session.close();
    scheduler.shutdownNow();
  }

  static AllocationStatusUpdate update(String id, ClientStatus s) {
    return AllocationStatusUpdate.newBuilder().setAllocationId(id).setClientStatus(s).build();
  }

  @Test
  void triesServersInTurnThenOpensWithFullStatusAndHeartbeats() throws Exception {
    session.start();
    waitFor("open", WAIT).until(() -> session.state() == ConnectionState.OPEN);
    assertEquals(List.of("a:1", "c:1", "b:1"), attempts);
    assertEquals("node-1", sent.getFirst().getOpen().getNodeId());
    assertTrue(sent.getFirst().getOpen().getAcceptsDeltas(), "this agent applies delta assignments");
    assertEquals("x", sent.get(1).getUpdates().getUpdates(0).getAllocationId());
    waitFor("heartbeats every TTL/3", WAIT).until(() -> sent.stream().filter(AgentMessage::hasHeartbeat).count() >= 2);
    assertEquals(1, sent.stream().filter(AgentMessage::hasHeartbeat).findFirst().orElseThrow()
        .getHeartbeat().getMetrics().getRunningAllocations());
  }

  @Test
  void updatesAreCoalescedAndAssignmentsDelivered() throws Exception {
    session.start();
    waitFor("open", WAIT).until(() -> session.state() == ConnectionState.OPEN);
    int before = sent.size();
    session.report(update("y", ClientStatus.CLIENT_STATUS_PENDING));
    session.report(update("y", ClientStatus.CLIENT_STATUS_RUNNING));
    waitFor("a batch", WAIT).until(() -> sent.stream().skip(before).anyMatch(AgentMessage::hasUpdates));
    var batch = sent.stream().skip(before).filter(AgentMessage::hasUpdates).findFirst().orElseThrow().getUpdates();
    assertEquals(List.of(update("y", ClientStatus.CLIENT_STATUS_RUNNING)), batch.getUpdatesList());
    listener.onMessage(ManagerMessage.newBuilder().setAssignments(Assignments.newBuilder().setIndex(7)).build());
    assertEquals(7, delivered.getFirst().getIndex());
  }

  @Test
  void notLeaderAndBrokenStreamsReconnectLastLeaderFirst() throws Exception {
    session.start();
    waitFor("open", WAIT).until(() -> session.state() == ConnectionState.OPEN);
    attempts.clear();
    listener.onClosed("UNAVAILABLE", null);
    waitFor("reopened", WAIT).until(() -> session.opens() == 2);
    assertEquals(List.of("b:1"), attempts, "the last leader is tried first");
    leader = "d:1";
    attempts.clear();
    listener.onMessage(ManagerMessage.newBuilder().setNotLeader(NotLeader.newBuilder().setLeaderGrpcAddress("d:1"))
        .build());
    waitFor("open with d", WAIT).until(() -> session.opens() == 3);
    assertEquals(List.of("d:1"), attempts);
    assertEquals("d:1", session.address());
    assertTrue(session.lastContact() != null);
  }
}
