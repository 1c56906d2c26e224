package gantry.examples.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.examples.echo.v1.EchoGrpc;
import gantry.examples.echo.v1.EchoRequest;
import gantry.examples.echo.v1.LoadRequest;
import gantry.examples.echo.v1.SetLoadRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class EchoServerTest {
  static ManagedChannel connect(EchoServer server) {
    return ManagedChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
  }

  @Test
  void repliesNameTheAllocationAndNodeOfTheEnvironment() throws Exception {
    var config = EchoServer.Config.from(List.of(), Map.of("GANTRY_PORT_GRPC", "0", "GANTRY_ALLOC_ID", "a1", "GANTRY_NODE_NAME", "n1"));
    try (var server = EchoServer.start(config)) {
      ManagedChannel channel = connect(server);
      try {
        var reply = EchoGrpc.newBlockingStub(channel).echo(EchoRequest.newBuilder().setMessage("hi").build());
        assertEquals("hi", reply.getMessage());
        assertEquals("a1", reply.getAllocation());
        assertEquals("n1", reply.getNode());
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void outsideGantryTheAllocationIsHostAndPort() throws Exception {
    try (var server = EchoServer.start(EchoServer.Config.from(List.of("--port", "0"), Map.of()))) {
      ManagedChannel channel = connect(server);
      try {
        var reply = EchoGrpc.newBlockingStub(channel).echo(EchoRequest.getDefaultInstance());
        assertTrue(reply.getAllocation().endsWith(":" + server.port()), reply.getAllocation());
        assertEquals(server.node(), reply.getNode());
      } finally {
        channel.shutdownNow();
      }
    }
  }

  @Test
  void setLoadSteersTheBurnAndRefusesWhatOneThreadCannotDo() throws Exception {
    var config = EchoServer.Config.from(List.of("--port", "0"), Map.of("ECHO_LOAD_MILLICORES", "200"));
    try (var server = EchoServer.start(config)) {
      ManagedChannel channel = connect(server);
      try {
        var stub = EchoGrpc.newBlockingStub(channel);
        assertEquals(200, stub.load(LoadRequest.getDefaultInstance()).getMillicores());
        stub.setLoad(SetLoadRequest.newBuilder().setMillicores(300).build());
        assertEquals(300, stub.load(LoadRequest.getDefaultInstance()).getMillicores());
        var e = assertThrows(StatusRuntimeException.class, () -> stub.setLoad(SetLoadRequest.newBuilder().setMillicores(1500).build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertTrue(e.getStatus().getDescription().startsWith("millicores: expected 0..1000"), e.getStatus().getDescription());
        stub.setLoad(SetLoadRequest.newBuilder().setMillicores(0).build());
        assertEquals(0, stub.load(LoadRequest.getDefaultInstance()).getMillicores());
      } finally {
        channel.shutdownNow();
      }
    }
  }

  /** A measurement over a second, bounds wide enough for a busy two-core machine. */
  @Test
  void theBurnerUsesAboutTheCpuItIsSetTo() throws Exception {
    var threads = ManagementFactory.getThreadMXBean();
    try (var burner = new CpuBurner(500)) {
      long cpu0 = threads.getThreadCpuTime(burner.threadId());
      long wall0 = System.nanoTime();
      TimeUnit.MILLISECONDS.sleep(1000);
      double share = (double) (threads.getThreadCpuTime(burner.threadId()) - cpu0) / (System.nanoTime() - wall0);
      assertTrue(share > 0.15 && share < 0.75, "500 millicores burned " + share + " of a core");

      burner.set(0);
      TimeUnit.MILLISECONDS.sleep(200); // the period under way ends
      long idle0 = threads.getThreadCpuTime(burner.threadId());
      TimeUnit.MILLISECONDS.sleep(300);
      long idle = threads.getThreadCpuTime(burner.threadId()) - idle0;
      assertTrue(idle < TimeUnit.MILLISECONDS.toNanos(20), "0 millicores still burned " + idle + " ns in 300 ms");
    }
  }

  @Test
  void configTakesTheFlagOverTheEnvironmentAndNamesBadValues() {
    var config = EchoServer.Config.from(List.of("--port", "9000"),
        Map.of("GANTRY_PORT_GRPC", "8000", "GANTRY_ALLOC_ID", "x", "ECHO_LOAD_MILLICORES", "250"));
    assertEquals(new EchoServer.Config(9000, "x", null, 250), config);
    assertEquals("no port: pass --port or set GANTRY_PORT_GRPC",
        assertThrows(IllegalArgumentException.class, () -> EchoServer.Config.from(List.of(), Map.of())).getMessage());
    assertEquals("ECHO_LOAD_MILLICORES: expected a number, got \"lots\"", assertThrows(IllegalArgumentException.class,
        () -> EchoServer.Config.from(List.of("--port", "1"), Map.of("ECHO_LOAD_MILLICORES", "lots"))).getMessage());
    assertEquals("GANTRY_PORT_GRPC: expected 0..65535, got 70000", assertThrows(IllegalArgumentException.class,
        () -> EchoServer.Config.from(List.of(), Map.of("GANTRY_PORT_GRPC", "70000"))).getMessage());
    assertEquals("unknown argument \"--bogus\"",
        assertThrows(IllegalArgumentException.class, () -> EchoServer.Config.from(List.of("--bogus"), Map.of())).getMessage());
  }
}
