package gantry.node.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import gantry.node.FreePorts;
import gantry.node.ManagerPeer;
import gantry.node.config.ServerConfigLoader;
import gantry.v1.AuditRecord;
import gantry.v1.ControlServiceGrpc;
import gantry.v1.ListPeersRequest;
import gantry.v1.ReadAuditRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One real manager peer (Ratis, RocksDB, gRPC and Jetty on loopback) started from the
 * configuration keys of the limits and the audit rotation: ReadAudit serves its own file across
 * rotations, and both ports refuse a caller over rate_per_token, naming it.
 */
class PeerLimitsAndAuditTest {
  static final Instant T0 = Instant.parse("2026-12-01T03:00:00Z");

  @TempDir static Path dir;
  static ManagerPeer peer;
  static ManagedChannel channel;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    peer = ManagerPeer.start(ServerConfigLoader.load(null, Map.of(
        "id", "m1", "data_dir", dir.resolve("m1").toString(), "peers", "m1=127.0.0.1:" + FreePorts.next(),
        "grpc_addr", "127.0.0.1:" + FreePorts.next(), "http_addr", "127.0.0.1:" + FreePorts.next(),
        "rate_per_token", "1", "rate_burst", "3", "max_message_bytes", "65536",
        "audit_max_bytes", "4096", "audit_keep", "2")));
    channel = ManagedChannelBuilder.forTarget(peer.grpcAddress()).usePlaintext().build();
  }

  @AfterAll
  static void stop() throws Exception {
    if (channel != null) channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    if (peer != null) peer.close();
  }

  static ControlServiceGrpc.ControlServiceBlockingStub stub(String token) {
    Metadata headers = new Metadata();
    headers.put(LimitInterceptor.TOKEN, token);
    return ControlServiceGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  @Test
  void readAuditStreamsThePeersOwnEntriesSinceATimeAcrossRotatedFiles() throws Exception {
    for (int i = 0; i < 150; i++) {
      peer.audit().record(new AuditEntry(T0.plusSeconds(i), "acc", "", "127.0.0.1:1", "gantry.v1.ControlService/RegisterJob",
          "job-" + i, "ok", ""));
    }
    assertTrue(Files.exists(dir.resolve("m1/audit.log.2")), "rotated twice at least");
    List<AuditRecord> all = new ArrayList<>();
    stub("reader").readAudit(ReadAuditRequest.getDefaultInstance()).forEachRemaining(all::add);
    // 3 files of ~4 KB at ~210 bytes an entry: the oldest went with the rotation, the rest in order.
    assertTrue(all.size() > 40 && all.size() < 150, all.size() + " entries");
    String first = all.getFirst().getTarget();
    int from = Integer.parseInt(first.substring(4));
    for (int i = 0; i < all.size(); i++) assertEquals("job-" + (from + i), all.get(i).getTarget());
    assertEquals("job-149", all.getLast().getTarget());
    AuditRecord last = all.getLast();
    assertEquals("2026-12-01T03:02:29.000Z", last.getTime());
    assertEquals("gantry.v1.ControlService/RegisterJob", last.getMethod());

    List<AuditRecord> since = new ArrayList<>();
    stub("reader").readAudit(ReadAuditRequest.newBuilder().setSince("2026-12-01T03:02:25Z").build()).forEachRemaining(since::add);
    assertEquals(List.of("job-145", "job-146", "job-147", "job-148", "job-149"), since.stream().map(AuditRecord::getTarget).toList());

    StatusRuntimeException bad = assertThrows(StatusRuntimeException.class,
        () -> stub("reader").readAudit(ReadAuditRequest.newBuilder().setSince("yesterday").build()).hasNext());
    assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
    assertTrue(bad.getStatus().getDescription().startsWith("since: \"yesterday\" is not an RFC 3339 time"), bad.getStatus().getDescription());
  }

  @Test
  void grpcCallsOverRatePerTokenAreRefusedNamingIt() {
    for (int i = 0; i < 3; i++) stub("grpc-burst").listPeers(ListPeersRequest.getDefaultInstance());
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> stub("grpc-burst").listPeers(ListPeersRequest.getDefaultInstance()));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().startsWith("rate limit: more than 1 requests/s for this token (rate_per_token); retry in "),
        e.getStatus().getDescription());
  }

  @Test
  void httpRequestsOverRatePerTokenGet429WithTheJsonErrorShape() throws Exception {
    HttpRequest get = HttpRequest.newBuilder(URI.create("http://" + peer.httpAddress() + "/metrics"))
        .header("X-Gantry-Token", "http-burst").build();
    for (int i = 0; i < 3; i++) assertEquals(200, http.send(get, HttpResponse.BodyHandlers.ofString()).statusCode());
    HttpResponse<String> refused = http.send(get, HttpResponse.BodyHandlers.ofString());
    assertEquals(429, refused.statusCode(), refused.body());
    assertTrue(refused.headers().firstValue("Retry-After").isPresent(), refused.headers().toString());
    String error = json(refused.body()).getFieldsOrThrow("error").getStringValue();
    assertTrue(error.startsWith("rate limit: more than 1 requests/s for this token (rate_per_token); retry in "), error);
    assertTrue(!json(refused.body()).containsFields("field"), refused.body());
  }

  @Test
  void anHttpBodyOverMaxMessageBytesGets413NamingIt() throws Exception {
    HttpRequest post = HttpRequest.newBuilder(URI.create("http://" + peer.httpAddress() + "/v1/jobs"))
        .header("X-Gantry-Token", "http-big").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"job\":\"" + "x".repeat(70_000) + "\"}")).build();
    HttpResponse<String> refused = http.send(post, HttpResponse.BodyHandlers.ofString());
    assertEquals(413, refused.statusCode(), refused.body());
    assertEquals("request body of 70010 bytes is over the limit of 65536 bytes (max_message_bytes)",
        json(refused.body()).getFieldsOrThrow("error").getStringValue());
  }

  @Test
  void anHttpBodyWithNoDeclaredLengthIsCutAtMaxMessageBytesNamingIt() throws Exception {
    byte[] body = ("{\"job\":\"" + "x".repeat(70_000) + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
    HttpRequest post = HttpRequest.newBuilder(URI.create("http://" + peer.httpAddress() + "/v1/jobs"))
        .header("X-Gantry-Token", "http-chunked").header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))).build();
    HttpResponse<String> refused = http.send(post, HttpResponse.BodyHandlers.ofString());
    assertEquals(413, refused.statusCode(), refused.body());
    assertEquals("request body is over the limit of 65536 bytes (max_message_bytes)",
        json(refused.body()).getFieldsOrThrow("error").getStringValue());
  }

  static Struct json(String body) throws Exception {
    Struct.Builder b = Struct.newBuilder();
    JsonFormat.parser().merge(body, b);
    return b.build();
  }
}
