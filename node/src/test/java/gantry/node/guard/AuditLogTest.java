package gantry.node.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import gantry.v1.AuditRecord;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit file as a reader sees it: whole JSON lines with every key, durable at return, rotated, read back by time. */
class AuditLogTest {
  static final List<String> KEYS = List.of("time", "accessor", "cert", "remote", "method", "target", "outcome", "reason");
  static final Instant T0 = Instant.parse("2026-12-01T03:00:00.123Z");

  @TempDir Path dir;

  static AuditEntry entry(Instant time, String target) {
    return new AuditEntry(time, "acc-1", "cli-alice", "127.0.0.1:50000", "gantry.v1.ControlService/RegisterJob", target,
        "ok", "");
  }

  static Struct json(String line) throws IOException {
    Struct.Builder b = Struct.newBuilder();
    JsonFormat.parser().merge(line, b);
    return b.build();
  }

  @Test
  void eachEntryIsOneJsonLineWithEveryKeyOnDiskWhenRecordReturns() throws Exception {
    try (AuditLog log = AuditLog.open(dir, 1 << 20, 3)) {
      log.record(new AuditEntry(T0, "acc-1", "cli-alice", "10.0.0.7:51234", "gantry.v1.ControlService/DeregisterJob",
          "web\n{\"forged\":true}", "denied", "no policy \"ops\" allows job:write\r\n\u0000\u2028 on \\web\\"));
      // A fresh reader, right after record returned: the line is in the file.
      List<String> lines = Files.readAllLines(dir.resolve("audit.log"), StandardCharsets.UTF_8);
      assertEquals(1, lines.size(), lines.toString());
      Struct line = json(lines.get(0));
      assertEquals(Set.copyOf(KEYS), line.getFieldsMap().keySet());
      assertTrue(lines.get(0).startsWith("{\"time\":\"2026-12-01T03:00:00.123Z\",\"accessor\":\"acc-1\",\"cert\":\"cli-alice\","
          + "\"remote\":\"10.0.0.7:51234\",\"method\":\"gantry.v1.ControlService/DeregisterJob\","), lines.get(0));
      assertEquals("web\n{\"forged\":true}", line.getFieldsOrThrow("target").getStringValue());
      assertEquals("no policy \"ops\" allows job:write\r\n\u0000\u2028 on \\web\\", line.getFieldsOrThrow("reason").getStringValue());
      assertEquals("denied", line.getFieldsOrThrow("outcome").getStringValue());
    }
  }

  @Test
  void aHugeFieldIsCutSoOneRequestCannotWriteAHugeLine() throws Exception {
    try (AuditLog log = AuditLog.open(dir, 1 << 20, 3)) {
      log.record(entry(T0, "x".repeat(100_000)));
      String line = Files.readAllLines(dir.resolve("audit.log")).get(0);
      String target = json(line).getFieldsOrThrow("target").getStringValue();
      assertEquals(AuditLine.MAX_FIELD_CHARS, target.length());
      assertTrue(target.endsWith("..."), target);
    }
  }

  @Test
  void appendsToTheFileAStartBefore() throws Exception {
    try (AuditLog log = AuditLog.open(dir, 1 << 20, 3)) {
      log.record(entry(T0, "first"));
    }
    try (AuditLog log = AuditLog.open(dir, 1 << 20, 3)) {
      log.record(entry(T0.plusSeconds(1), "second"));
      assertEquals(List.of("first", "second"), targets(log, Instant.EPOCH));
    }
  }

  @Test
  void rotationKeepsAuditKeepFilesAndTheNewestEntries() throws Exception {
    int keep = 3;
    long max = 4096;
    int n = 400; // about 200 bytes a line: ~80 KB, many more rotations than kept files
    try (AuditLog log = AuditLog.open(dir, max, keep)) {
      for (int i = 0; i < n; i++) log.record(entry(T0.plusMillis(i), "job-" + i));
      try (var files = Files.list(dir)) {
        assertEquals(Set.of("audit.log", "audit.log.1", "audit.log.2", "audit.log.3"),
            files.map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet()));
      }
      for (int r = 1; r <= keep; r++) {
        long size = Files.size(dir.resolve("audit.log." + r));
        assertTrue(size > max && size < max + 400, "audit.log." + r + " is " + size + " bytes");
      }
      // What is kept is the newest entries, in order, with no gap.
      List<String> kept = targets(log, Instant.EPOCH);
      assertTrue(kept.size() > 3 * max / 250 && kept.size() < n, kept.size() + " kept");
      int first = n - kept.size();
      for (int i = 0; i < kept.size(); i++) assertEquals("job-" + (first + i), kept.get(i));
    }
  }

  @Test
  void sinceSelectsAcrossRotatedFilesOldestFirst() throws Exception {
    try (AuditLog log = AuditLog.open(dir, 4096, 10)) {
      for (int i = 0; i < 100; i++) log.record(entry(T0.plusSeconds(i), "job-" + i));
      assertTrue(Files.exists(dir.resolve("audit.log.3")), "the entries span several files");
      List<String> since = targets(log, T0.plusSeconds(10));
      assertEquals(90, since.size());
      assertEquals("job-10", since.getFirst()); // at or after: the entry at exactly since is included
      assertEquals("job-99", since.getLast());
      assertEquals(List.of(), targets(log, T0.plusSeconds(100)));
      // The reader may stop early (a cancelled call).
      List<String> two = new ArrayList<>();
      log.read(T0, r -> {
        two.add(r.getTarget());
        return two.size() < 2;
      });
      assertEquals(List.of("job-0", "job-1"), two);
    }
  }

  @Test
  void aTornLastLineIsSkippedAndTheNextEntryStartsOnItsOwnLine() throws Exception {
    try (AuditLog log = AuditLog.open(dir, 1 << 20, 3)) {
      log.record(entry(T0, "whole"));
    }
    // A crash in the middle of a write leaves part of a line.
    Files.writeString(dir.resolve("audit.log"), "{\"time\":\"2026-12-01T03:00:01.000Z\",\"acc",
        java.nio.file.StandardOpenOption.APPEND);
    try (AuditLog log = AuditLog.open(dir, 1 << 20, 3)) {
      log.record(entry(T0.plusSeconds(2), "after"));
      assertEquals(List.of("whole", "after"), targets(log, Instant.EPOCH));
    }
  }

  @Test
  void concurrentWritersGetWholeLinesAndShareForces() throws Exception {
    int threads = 8;
    int each = 500;
    try (AuditLog log = AuditLog.open(dir, 1L << 30, 3)) {
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < each; i++) {
            log.record(new AuditEntry(Instant.now(), "acc-" + thread, "cn", "127.0.0.1:1", "m", thread + "/" + i,
                "ok", "reason with\nnewline " + "y".repeat(i % 300)));
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) f.get();
      pool.shutdown();
      List<String> lines = Files.readAllLines(dir.resolve("audit.log"), StandardCharsets.UTF_8);
      assertEquals(threads * each, lines.size());
      Set<String> seen = new HashSet<>();
      int[] next = new int[threads];
      for (String line : lines) {
        Struct s = json(line); // throws on an interleaved or split line
        assertEquals(Set.copyOf(KEYS), s.getFieldsMap().keySet());
        String[] target = s.getFieldsOrThrow("target").getStringValue().split("/");
        int thread = Integer.parseInt(target[0]);
        // Each thread's entries appear in the order it recorded them.
        assertEquals(next[thread]++, Integer.parseInt(target[1]), line);
        assertTrue(seen.add(s.getFieldsOrThrow("target").getStringValue()));
      }
      assertTrue(log.forces() < threads * each, log.forces() + " forces for " + threads * each + " entries");
    }
  }

  @Test
  void aThousandConcurrentRecordsShareFewForces() throws Exception {
    try (AuditLog log = AuditLog.open(dir, 1L << 30, 3); var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < 1000; i++) {
        int n = i;
        done.add(pool.submit(() -> {
          start.await();
          log.record(entry(T0, "job-" + n));
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) f.get();
      assertEquals(1000, Files.readAllLines(dir.resolve("audit.log")).size());
      assertTrue(log.forces() <= 100, log.forces() + " forces for 1000 concurrent records");
    }
  }

  @Test
  void aClosedLogRefusesToRecord() throws Exception {
    AuditLog log = AuditLog.open(dir, 1 << 20, 3);
    log.close();
    IOException e = assertThrows(IOException.class, () -> log.record(entry(T0, "late")));
    assertTrue(e.getMessage().contains("closed"), e.getMessage());
  }

  @Test
  void aFailedWriteReachesTheCaller() throws Exception {
    Path full = Path.of("/dev/full");
    org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(full), "needs /dev/full (a device that is always full)");
    Path linked = dir.resolve("data");
    Files.createDirectories(linked);
    Files.createSymbolicLink(linked.resolve("audit.log"), full);
    try (AuditLog log = AuditLog.open(linked, 1 << 20, 3)) {
      IOException e = assertThrows(IOException.class, () -> log.record(entry(T0, "lost")));
      assertTrue(e.getMessage().startsWith("audit log " + linked.resolve("audit.log")), e.getMessage());
      assertFalse(e.getMessage().isBlank());
    }
  }

  static List<String> targets(AuditLog log, Instant since) throws IOException {
    List<String> out = new ArrayList<>();
    log.read(since, (AuditRecord r) -> out.add(r.getTarget()));
    return out;
  }
}
