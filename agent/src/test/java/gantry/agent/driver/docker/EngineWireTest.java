package gantry.agent.driver.docker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.agent.driver.ResourceUsage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The Engine API's wire forms, from bytes as the engine sends them; the engine itself is in DockerDriverTest. */
class EngineWireTest {
  private static ByteArrayInputStream bytes(String s) {
    return new ByteArrayInputStream(s.getBytes(StandardCharsets.ISO_8859_1));
  }

  @Test
  void aChunkedAnswerIsJoined() throws IOException {
    HttpAnswer a = HttpAnswer.read(bytes("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n5\r\n{\"Id\"\r\n7;ext=1\r\n:\"abc\"}\r\n0\r\n\r\n"));
    assertEquals(200, a.status());
    assertEquals("{\"Id\":\"abc\"}", new String(a.body().readAllBytes(), StandardCharsets.UTF_8));
  }

  @Test
  void aContentLengthAnswerStopsAtItsLengthAndACutOneFails() throws IOException {
    HttpAnswer a = HttpAnswer.read(bytes("HTTP/1.1 404 Not Found\r\ncontent-length: 4\r\n\r\nabcdEXTRA"));
    assertEquals(404, a.status());
    assertEquals("abcd", new String(a.body().readAllBytes(), StandardCharsets.UTF_8));
    HttpAnswer cut = HttpAnswer.read(bytes("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"));
    assertThrows(EOFException.class, () -> cut.body().readAllBytes());
    assertThrows(IOException.class, () -> HttpAnswer.read(bytes("HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n")));
    assertThrows(IOException.class, () -> HttpAnswer.read(bytes("SSH-2.0-OpenSSH\r\n\r\n")));
  }

  @Test
  void framesAreDemultipliedAndCappedInOrder() throws IOException {
    ByteArrayOutputStream wire = new ByteArrayOutputStream();
    frame(wire, 1, "out\n");
    frame(wire, 2, "err\n");
    frame(wire, 1, "more\n");
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    assertTrue(EngineClient.Frames.copy(new ByteArrayInputStream(wire.toByteArray()), all, 1000, new AtomicBoolean()));
    assertEquals("out\nerr\nmore\n", all.toString(StandardCharsets.UTF_8));
    ByteArrayOutputStream capped = new ByteArrayOutputStream();
    assertTrue(EngineClient.Frames.copy(new ByteArrayInputStream(wire.toByteArray()), capped, 6, new AtomicBoolean()));
    assertEquals("out\ner", capped.toString(StandardCharsets.UTF_8));
    byte[] cut = java.util.Arrays.copyOf(wire.toByteArray(), 5);
    assertThrows(EOFException.class,
        () -> EngineClient.Frames.copy(new ByteArrayInputStream(cut), new ByteArrayOutputStream(), 10, new AtomicBoolean()));
  }

  private static void frame(ByteArrayOutputStream out, int stream, String payload) {
    byte[] p = payload.getBytes(StandardCharsets.UTF_8);
    out.writeBytes(new byte[] {(byte) stream, 0, 0, 0, 0, 0, 0, (byte) p.length});
    out.writeBytes(p);
  }

  @Test
  void theEnginesMessageIsTakenOutOfItsErrorBody() {
    assertEquals("No such image: local/nope:1",
        EngineClient.engineMessage("{\"message\":\"No such image: local/nope:1\"}\n".getBytes(StandardCharsets.UTF_8)));
    assertEquals("page not found", EngineClient.engineMessage("page not found\n".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void statsOfACgroupV2EngineLeaveOutTheInactiveFilePages() {
    Object stats = Json.parse("""
        {"cpu_stats": {"cpu_usage": {"total_usage": 3000000}, "system_cpu_usage": 200000000, "online_cpus": 2},
         "precpu_stats": {"cpu_usage": {"total_usage": 1000000}, "system_cpu_usage": 100000000},
         "memory_stats": {"usage": 10485760, "stats": {"inactive_file": 2097152}}}""");
    ResourceUsage u = EngineStats.usageOf(stats, null);
    assertEquals(4.0, u.cpuPercent(), 1e-9);
    assertEquals(8.0, u.memoryMiB(), 1e-9);
    assertEquals(new ResourceUsage(0, 0), EngineStats.usageOf(Json.parse("{}"), null));
  }

  @Test
  void aOneShotSamplesCpuCoversTheTimeSinceTheSampleKeptBeforeIt() {
    // One read, no previous one in the answer (one-shot): the CPU comes from the counters kept
    // at the earlier sample. 1.5 of 30 host-CPU seconds on 2 CPUs: 10 % of one core.
    Object oneShot = Json.parse("""
        {"read": "2026-12-06T22:00:05Z",
         "cpu_stats": {"cpu_usage": {"total_usage": 2500000000}, "system_cpu_usage": 40000000000, "online_cpus": 2},
         "precpu_stats": {"cpu_usage": {"total_usage": 0}},
         "memory_stats": {"usage": 10485760}}""");
    ResourceUsage u = EngineStats.usageOf(oneShot, new EngineStats.Counters(1_000_000_000L, 10_000_000_000L));
    assertEquals(10.0, u.cpuPercent(), 1e-9);
    assertEquals(10.0, u.memoryMiB(), 1e-9);
    assertEquals(0.0, EngineStats.usageOf(oneShot, null).cpuPercent(), 1e-9, "no previous read, no CPU figure");
  }

  @Test
  void onlyUnixAndTcpAddressesAreTaken() {
    EngineClient.of(URI.create("unix:///var/run/docker.sock"));
    EngineClient.of(URI.create("tcp://127.0.0.1:2375"));
    var e = assertThrows(IllegalArgumentException.class, () -> EngineClient.of(URI.create("ssh://me@host")));
    assertTrue(e.getMessage().startsWith("engine address scheme 'ssh' is not supported"), e.getMessage());
    assertFalse(assertThrows(IllegalArgumentException.class, () -> EngineClient.of(URI.create("unix://")))
        .getMessage().isEmpty());
  }
}
