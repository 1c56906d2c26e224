package gantry.node.guard;

import gantry.v1.AuditRecord;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Reads audit entries at or after an instant from a fixed set of open files, oldest first. The
 * files are opened (and the current one's length taken) at one moment by {@link AuditLog}, so a
 * rotation while this reads neither repeats nor skips entries: an open file is read by its handle,
 * whatever it has been renamed to since, and only to the length it had then (the rest of the
 * current file is the next reader's).
 *
 * <p>A line that is not a whole entry (the tail of a write a crash cut) is skipped and counted.
 */
final class AuditReader implements AutoCloseable {
  /** One open file and how far to read it. */
  record Part(FileChannel channel, long length) {}

  private final List<Part> parts;
  private long skipped;

  AuditReader(List<Part> parts) {
    this.parts = List.copyOf(parts);
  }

  /**
   * Passes every entry at or after {@code since} to {@code out}, oldest file first, in file
   * order, until {@code out} returns false (the caller went away).
   *
   * @return how many entries were passed
   */
  long read(Instant since, Predicate<AuditRecord> out) throws IOException {
    long passed = 0;
    for (Part part : parts) {
      part.channel.position(0);
      var bounded = new BoundedInput(Channels.newInputStream(part.channel), part.length);
      var lines = new BufferedReader(new InputStreamReader(bounded, StandardCharsets.UTF_8), 64 * 1024);
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        if (line.isEmpty()) continue;
        Optional<AuditRecord> record = AuditLine.parse(line);
        Optional<Instant> time = record.flatMap(AuditLine::timeOf);
        if (time.isEmpty()) {
          skipped++;
          continue;
        }
        if (time.get().isBefore(since)) continue;
        passed++;
        if (!out.test(record.get())) return passed;
      }
    }
    return passed;
  }

  /** Lines that were not whole entries. */
  long skipped() {
    return skipped;
  }

  @Override
  public void close() throws IOException {
    IOException first = null;
    for (Part p : parts) {
      try {
        p.channel.close();
      } catch (IOException e) {
        if (first == null) first = e;
      }
    }
    if (first != null) throw first;
  }

  /** The first {@code limit} bytes of a stream. */
  private static final class BoundedInput extends java.io.FilterInputStream {
    private long left;

    BoundedInput(java.io.InputStream in, long limit) {
      super(in);
      this.left = limit;
    }

    @Override
    public int read() throws IOException {
      if (left <= 0) return -1;
      int b = super.read();
      if (b >= 0) left--;
      return b;
    }

    @Override
    public int read(byte[] buf, int off, int len) throws IOException {
      if (left <= 0) return -1;
      int n = super.read(buf, off, (int) Math.min(len, left));
      if (n > 0) left -= n;
      return n;
    }
  }
}
