package gantry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import gantry.cli.command.FailureHandlerProbe;
import gantry.node.ManagerPeer;
import gantry.node.config.ServerConfigLoader;
import gantry.node.guard.AuditEntry;
import gantry.v1.ControlServiceGrpc;
import gantry.v1.JobSpec;
import gantry.v1.RegisterJobRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gantry operator audit} against a real manager peer in this JVM (Ratis, RocksDB, gRPC on
 * loopback) whose audit log holds entries of the last few hours: the lines, --since in both
 * forms, bad input, and what the CLI says of an oversize request.
 */
class AuditCommandTest {
  static final List<String> KEYS = List.of("time", "accessor", "cert", "remote", "method", "target", "outcome", "reason");

  @TempDir static Path dir;
  static ManagerPeer peer;
  static Instant now;

  @BeforeAll
  static void start() throws Exception {
    peer = ManagerPeer.start(ServerConfigLoader.load(null, Map.of(
        "id", "m1", "data_dir", dir.resolve("m1").toString(), "peers", "m1=" + FakeControlServer.deadAddress(),
        "grpc_addr", FakeControlServer.deadAddress(), "http_addr", "", "max_message_bytes", "65536")));
    now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    record(now.minus(Duration.ofHours(3)), "old-job", "ok", "");
    record(now.minus(Duration.ofMinutes(30)), "web", "denied", "no policy allows job:write on \"web\"");
    record(now.minus(Duration.ofMinutes(1)), "api\nwith a newline", "ok", "");
    record(now, "db", "INVALID_ARGUMENT", "groups[0].count: must be 0 or more");
  }

  static void record(Instant time, String target, String outcome, String reason) throws Exception {
    peer.audit().record(new AuditEntry(time, "3f2a-accessor", "cli-alice", "127.0.0.1:50123",
        "gantry.v1.ControlService/RegisterJob", target, outcome, reason));
  }

  @AfterAll
  static void stop() {
    if (peer != null) peer.close();
  }

  static Cli audit(String... args) {
    return Cli.runAt(peer.grpcAddress(), args);
  }

  static Struct json(String line) throws Exception {
    Struct.Builder b = Struct.newBuilder();
    JsonFormat.parser().merge(line, b);
    return b.build();
  }

  static List<String> targets(Cli r) {
    return r.out().lines().map(l -> {
      try {
        return json(l).getFieldsOrThrow("target").getStringValue();
      } catch (Exception e) {
        throw new AssertionError(l, e);
      }
    }).toList();
  }

  @Test
  void printsEveryEntryAsOneJsonLineWithTheFilesKeysOldestFirst() throws Exception {
    Cli r = audit("operator", "audit");
    assertEquals(0, r.exitCode(), r.err());
    assertEquals("", r.err());
    List<String> lines = r.out().lines().toList();
    assertEquals(4, lines.size(), r.out());
    assertEquals(List.of("old-job", "web", "api\nwith a newline", "db"), targets(r));
    for (String line : lines) assertEquals(java.util.Set.copyOf(KEYS), json(line).getFieldsMap().keySet(), line);
    Struct web = json(lines.get(1));
    assertEquals("denied", web.getFieldsOrThrow("outcome").getStringValue());
    assertEquals("3f2a-accessor", web.getFieldsOrThrow("accessor").getStringValue());
    assertEquals("cli-alice", web.getFieldsOrThrow("cert").getStringValue());
    // The file always writes milliseconds (".000" too), which Instant.toString drops: compare instants.
    String time = web.getFieldsOrThrow("time").getStringValue();
    assertTrue(time.matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), time);
    assertEquals(now.minus(Duration.ofMinutes(30)), Instant.parse(time));
    // The same keys in the same order as the file's line.
    String fileLine = java.nio.file.Files.readAllLines(dir.resolve("m1/audit.log")).get(1);
    assertEquals(fileLine, lines.get(1));
  }

  @Test
  void sinceTakesADurationAgoOrAnRfc3339Time() {
    Cli recent = audit("operator", "audit", "--since", "10m");
    assertEquals(0, recent.exitCode(), recent.err());
    assertEquals(List.of("api\nwith a newline", "db"), targets(recent));

    Cli fromTime = audit("operator", "audit", "--since", now.minus(Duration.ofHours(1)).toString());
    assertEquals(0, fromTime.exitCode(), fromTime.err());
    assertEquals(List.of("web", "api\nwith a newline", "db"), targets(fromTime));

    Cli offset = audit("operator", "audit", "--since", "2000-01-01T01:00:00+01:00");
    assertEquals(4, targets(offset).size());

    Cli none = audit("operator", "audit", "--since", now.plusSeconds(3600).toString());
    assertEquals(0, none.exitCode(), none.err());
    assertEquals("", none.out());
  }

  @Test
  void aBadSinceExits2NamingTheFlag() {
    for (String bad : List.of("yesterday", "10 minutes", "2026-13-01T00:00:00Z", "-5m")) {
      Cli r = audit("operator", "audit", "--since", bad);
      assertEquals(2, r.exitCode(), bad + ": " + r.out());
      assertEquals("", r.out());
      assertEquals("--since: expected an RFC 3339 time (2026-12-01T03:00:00Z) or a duration ago (90s, 10m, 2h), got \""
          + bad + "\"", r.err().strip());
    }
  }

  @Test
  void aManagerThatIsDownIsPassedOverAndNoneUpExits1() {
    Cli next = Cli.runAt(FakeControlServer.deadAddress() + "," + peer.grpcAddress(), "operator", "audit", "--since", "10m");
    assertEquals(0, next.exitCode(), next.err());
    assertEquals(List.of("api\nwith a newline", "db"), targets(next));

    String dead = FakeControlServer.deadAddress();
    Cli r = Cli.runAt(dead, "operator", "audit");
    assertEquals(1, r.exitCode(), r.out());
    assertEquals("", r.out());
    assertTrue(r.err().startsWith("no manager reachable at " + dead + " (last error: UNAVAILABLE"), r.err());
  }

  @Test
  void anOversizeRequestIsReportedNamingMaxMessageBytes() throws Exception {
    ManagedChannel channel = ManagedChannelBuilder.forTarget(peer.grpcAddress()).usePlaintext().build();
    try {
      RegisterJobRequest big = RegisterJobRequest.newBuilder().setSpec(JobSpec.newBuilder().setName("x".repeat(70_000))).build();
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> ControlServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).registerJob(big));
      assertEquals("RESOURCE_EXHAUSTED: the request is " + big.getSerializedSize()
          + " bytes, over the manager's limit of 65536 (max_message_bytes)", FailureHandlerProbe.message(e));
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
