package gantry.examples.echo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.examples.echo.v1.EchoReply;
import gantry.v1.ControlServiceGrpc;
import gantry.v1.ServiceEndpoint;
import gantry.v1.ServiceEndpoints;
import gantry.v1.WatchServiceRequest;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EchoClientTest {
  static final Map<String, String> NO_ENV = Map.of();

  @Test
  void parsesFlagsAndTakesTheManagersFromGantryAddr() {
    var options = EchoClient.Options.parse(List.of("--managers", "m1:4647,m2:4647", "--policy", "random", "--calls", "10"), NO_ENV);
    assertEquals(new EchoClient.Options(List.of("m1:4647", "m2:4647"), "random", 10, "echo"), options);
    options = EchoClient.Options.parse(List.of("--calls", "5", "--service", "api"), Map.of("GANTRY_ADDR", "m3:4647"));
    assertEquals(new EchoClient.Options(List.of("m3:4647"), "weighted", 5, "api"), options);
  }

  @Test
  void badUsageNamesTheFlag() {
    for (var c : List.of(
        List.of(List.of("--calls", "5"), "--managers: required (or set GANTRY_ADDR)"),
        List.of(List.of("--managers", "nohost", "--calls", "5"), "--managers: expected host:port, got \"nohost\""),
        List.of(List.of("--managers", "m:1", "--calls", "5", "--policy", "fastest"), "--policy: expected one of round_robin, random, weighted, got \"fastest\""),
        List.of(List.of("--managers", "m:1"), "--calls: required"),
        List.of(List.of("--managers", "m:1", "--calls", "many"), "--calls: expected a number, got \"many\""),
        List.of(List.of("--managers", "m:1", "--calls", "0"), "--calls: expected at least 1, got 0"),
        List.of(List.of("--managers", "m:1", "--calls"), "--calls: needs a value"),
        List.of(List.of("-v"), "unknown argument \"-v\""))) {
      @SuppressWarnings("unchecked")
      List<String> args = (List<String>) c.get(0);
      var e = assertThrows(IllegalArgumentException.class, () -> EchoClient.Options.parse(args, NO_ENV), args.toString());
      assertEquals(c.get(1), e.getMessage());
    }
  }

  @Test
  void printsOneLinePerEndpointThenOneJsonLine() {
    var tally = new EchoClient.Tally();
    for (int i = 0; i < 3; i++) tally.answered(EchoReply.newBuilder().setAllocation("a-2").setNode("n2").build());
    tally.answered(EchoReply.newBuilder().setAllocation("a-1").setNode("node-1").build());
    tally.failed(Status.UNAVAILABLE.withDescription("gone \"away\"").asRuntimeException());
    var out = new StringWriter();
    tally.print(new EchoClient.Options(List.of("m:1"), "weighted", 5, "echo"), new PrintWriter(out));
    assertEquals(String.join("\n",
        "ALLOCATION  NODE       CALLS   SHARE",
        "a-1         node-1         1   20.0%",
        "a-2         n2             3   60.0%",
        "(failed)    -              1   20.0%",
        "{\"service\":\"echo\",\"policy\":\"weighted\",\"calls\":5,\"failed\":1,\"endpoints\":{\"a-1\":{\"node\":\"node-1\",\"calls\":1},"
            + "\"a-2\":{\"node\":\"n2\",\"calls\":3}},\"last_error\":\"UNAVAILABLE: gone \\\"away\\\"\"}",
        ""), out.toString());
  }

  /** Two real echo servers behind a fake leader's WatchService, called through gantry:///echo. */
  @Test
  void callsThroughTheResolverAndCountsEachAllocation() throws Exception {
    try (var e1 = EchoServer.start(new EchoServer.Config(0, "e1", "n1", 0));
         var e2 = EchoServer.start(new EchoServer.Config(0, "e2", "n2", 0))) {
      var set = ServiceEndpoints.newBuilder().setService("echo").setIndex(3)
          .addEndpoints(endpoint("e1", e1.port(), 1)).addEndpoints(endpoint("e2", e2.port(), 3)).build();
      Server leader = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
          .addService(new ControlServiceGrpc.ControlServiceImplBase() {
            @Override
            public void watchService(WatchServiceRequest request, StreamObserver<ServiceEndpoints> out) {
              out.onNext(set); // and holds the stream open, as the leader does
            }
          }).build().start();
      try {
        var out = new StringWriter();
        int exit = EchoClient.run(new EchoClient.Options(List.of("127.0.0.1:" + leader.getPort()), "weighted", 400, "echo"), new PrintWriter(out));
        String[] lines = out.toString().split("\n");
        assertEquals(0, exit, out.toString());
        assertEquals(4, lines.length, out.toString());
        assertTrue(lines[1].startsWith("e1  ") && lines[2].startsWith("e2  "), out.toString());
        assertTrue(lines[3].startsWith("{\"service\":\"echo\",\"policy\":\"weighted\",\"calls\":400,\"failed\":0,"), lines[3]);
      } finally {
        leader.shutdownNow();
      }
    } catch (StatusRuntimeException e) {
      throw new AssertionError(e.getStatus().toString(), e);
    }
  }

  static ServiceEndpoint endpoint(String allocation, int port, long weight) {
    return ServiceEndpoint.newBuilder().setService("echo").setAllocationId(allocation).setAddress("127.0.0.1").setPort(port)
        .setWeight(weight).build();
  }
}
