package gantry.agent.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gantry.v1.AllocationStatusUpdate;
import gantry.v1.ClientStatus;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ServerRotationTest {
  final ServerRotation r = new ServerRotation(List.of("a:1", "b:1", "c:1"), Duration.ofMillis(100),
      Duration.ofSeconds(1));

  @Test
  void triesServersInTurnWithBackoffPerFullPass() {
    assertEquals("a:1", r.next());
    assertEquals(Duration.ofMillis(100), r.failed());
    assertEquals("b:1", r.next());
    assertEquals(Duration.ofMillis(100), r.failed());
    assertEquals("c:1", r.next());
    assertEquals(Duration.ofMillis(100), r.failed());
    assertEquals("a:1", r.next());
    assertEquals(Duration.ofMillis(200), r.failed());
    for (int i = 0; i < 20; i++) {
      r.failed();
    }
    assertEquals(Duration.ofSeconds(1), r.failed());
  }

  @Test
  void followsRedirectsAtOnceAndPrefersTheLastLeaderAfterABreak() {
    assertEquals("a:1", r.next());
    assertEquals(Duration.ZERO, r.redirected("x:9"));
    assertEquals("x:9", r.next());
    r.opened("x:9");
    assertEquals(Duration.ofMillis(100), r.broken());
    assertEquals("x:9", r.next());
    assertEquals("b:1", r.next());
  }

  @Test
  void unknownLeaderOrEndlessRedirectsCountAsFailures() {
    assertEquals(Duration.ofMillis(100), r.redirected(""));
    for (int i = 0; i < 5; i++) {
      assertEquals(Duration.ZERO, r.redirected("x:9"));
    }
    assertEquals(Duration.ofMillis(100), r.redirected("x:9"));
    assertNull(new ServerRotation(List.of("a:1"), Duration.ZERO, Duration.ZERO).lastLeader());
  }

  @Test
  void connectionStateTable() {
    assertEquals(ConnectionState.OPEN, ConnectionState.REGISTERING.to(ConnectionState.OPEN));
    assertThrows(IllegalStateException.class, () -> ConnectionState.IDLE.to(ConnectionState.OPEN));
    assertThrows(IllegalStateException.class, () -> ConnectionState.CLOSED.to(ConnectionState.REGISTERING));
    assertThrows(IllegalStateException.class, () -> ConnectionState.WAITING.to(ConnectionState.OPEN));
  }

  @Test
  void updateBufferCoalescesPerAllocation() {
    UpdateBuffer b = new UpdateBuffer();
    b.put(u("a", ClientStatus.CLIENT_STATUS_PENDING));
    b.put(u("b", ClientStatus.CLIENT_STATUS_RUNNING));
    b.put(u("a", ClientStatus.CLIENT_STATUS_RUNNING));
    assertEquals(List.of(u("a", ClientStatus.CLIENT_STATUS_RUNNING), u("b", ClientStatus.CLIENT_STATUS_RUNNING)),
        b.drain());
    assertEquals(0, b.size());
  }

  static AllocationStatusUpdate u(String id, ClientStatus s) {
    return AllocationStatusUpdate.newBuilder().setAllocationId(id).setClientStatus(s).build();
  }
}
