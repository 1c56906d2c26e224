package gantry.agent.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.AllocatedPort;
import gantry.v1.Allocation;
import gantry.v1.CheckSpec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class HealthTrackerTest {
  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  final HealthCheck check = new HealthCheck.Tcp(1234, Duration.ofSeconds(2), Duration.ofSeconds(1));
  final HealthProber.Result ok = new HealthProber.Result(true, "ok");
  final HealthProber.Result bad = new HealthProber.Result(false, "refused");

  @Test
  void threeFailuresInARowMakeUnhealthyOnce() {
    HealthTracker t = HealthTracker.started(check, T0);
    assertEquals("unknown", t.health());
    assertFalse(t.due(T0.plusSeconds(1)));
    assertTrue(t.due(T0.plusSeconds(2)));
    t = t.record(bad, check, T0.plusSeconds(2));
    t = t.record(bad, check, T0.plusSeconds(4));
    assertEquals("unknown", t.health());
    assertFalse(t.justBecameUnhealthy());
    t = t.record(bad, check, T0.plusSeconds(6));
    assertEquals("unhealthy", t.health());
    assertTrue(t.justBecameUnhealthy());
    assertEquals(T0.plusSeconds(8), t.nextProbeAt());
    t = t.record(bad, check, T0.plusSeconds(8));
    assertFalse(t.justBecameUnhealthy());
    assertEquals("healthy", t.record(ok, check, T0.plusSeconds(10)).health());
  }

  @Test
  void aSuccessResetsTheCount() {
    HealthTracker t = HealthTracker.started(check, T0).record(bad, check, T0).record(bad, check, T0)
        .record(ok, check, T0).record(bad, check, T0).record(bad, check, T0);
    assertEquals("healthy", t.health());
    assertEquals(2, t.consecutiveFailures());
  }

  @Test
  void checksResolveTheirPortFromTheAllocation() {
    Allocation a = Allocation.newBuilder().addPorts(AllocatedPort.newBuilder().setTask("web").setName("http")
        .setHost(23456).setTo(8080)).build();
    var http = HealthCheck.of(CheckSpec.newBuilder().setType("http").setPort("http").setPath("health")
        .setIntervalMs(2000).setTimeoutMs(500).build(), "web", a);
    assertEquals(new HealthCheck.Http(23456, "/health", Duration.ofSeconds(2), Duration.ofMillis(500)), http);
    assertInstanceOf(HealthCheck.Unsupported.class,
        HealthCheck.of(CheckSpec.newBuilder().setType("tcp").setPort("admin").build(), "web", a));
    var exec = HealthCheck.of(CheckSpec.newBuilder().setType("exec").addCommand("test").addCommand("-f")
        .addCommand("ready").setIntervalMs(1000).build(), "web", a);
    assertEquals(new HealthCheck.Exec(java.util.List.of("test", "-f", "ready"), Duration.ofSeconds(1),
        HealthCheck.DEFAULT_TIMEOUT), exec);
    var noCommand = HealthCheck.of(CheckSpec.newBuilder().setType("exec").build(), "web", a);
    assertTrue(((HealthCheck.Unsupported) noCommand).why().contains("needs a command"));
    assertNull(HealthCheck.of(CheckSpec.getDefaultInstance(), "web", a));
  }

  @Test
  void networkProberTcp() throws IOException {
    var prober = new NetworkProber();
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
      assertTrue(prober.probe(new HealthCheck.Tcp(port, Duration.ofSeconds(1), Duration.ofSeconds(1))).healthy());
    }
    assertFalse(prober.probe(new HealthCheck.Tcp(port, Duration.ofSeconds(1), Duration.ofSeconds(1))).healthy());
  }
}
