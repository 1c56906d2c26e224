package gantry.node.guard;

import gantry.v1.AuditRecord;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit trail of one manager: {@code <data-dir>/audit.log}, one JSON line per entry
 * ({@link AuditLine}), rotated by size ({@link AuditFiles}).
 *
 * <p>{@link #record} returns only once its line is on disk (written and forced), so a guard that
 * records before it answers never answers a request the log could lose. Forcing costs a few
 * milliseconds, so concurrent callers share it (group commit, leader-follower): a caller appends
 * its line to the open batch; if no force is under way it becomes the leader, takes the batch
 * (its own line and any that arrived meanwhile), writes and forces it without holding the lock,
 * then wakes the batch's callers; otherwise it waits for a leader to take and finish its batch.
 * One force covers every line that arrived during the previous one.
 *
 * <p>A failed write or force fails every caller of that batch with the IOException (the guard
 * then fails their requests: fail closed); later batches try again.
 */
public final class AuditLog implements AuditSink, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AuditLog.class);
  private final AuditFiles files;
  private final long maxBytes;

  /** Guards the batches and the leader flag. */
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition done = lock.newCondition();
  private Batch open = new Batch();
  private boolean leading;
  /** Set under {@link #lock}; read by a leader outside it, hence volatile. */
  private volatile boolean closed;

  /** Held while the file is written, forced or rotated, and while a reader opens the files. */
  private final ReentrantLock io = new ReentrantLock();
  private FileChannel channel;
  private long size;
  private long forces;

  /** The lines of one force, and how it ended. */
  private static final class Batch {
    final ByteArrayOutputStream lines = new ByteArrayOutputStream();
    boolean finished;
    IOException failure;
  }

  private AuditLog(AuditFiles files, long maxBytes, FileChannel channel) throws IOException {
    this.files = files;
    this.maxBytes = maxBytes;
    this.channel = channel;
    this.size = channel.size();
  }

  /**
   * Opens (or creates) {@code <dataDir>/audit.log} for appending.
   *
   * @param maxBytes the size past which the file is rotated (audit_max_bytes)
   * @param keep how many rotated files are kept (audit_keep)
   */
  public static AuditLog open(Path dataDir, long maxBytes, int keep) throws IOException {
    Files.createDirectories(dataDir);
    AuditFiles files = new AuditFiles(dataDir, keep);
    boolean existed = Files.exists(files.current());
    FileChannel channel = append(files.current());
    try {
      if (!existed) files.forceDirectory();
      endTornLine(files.current(), channel);
    } catch (IOException e) {
      channel.close();
      throw e;
    }
    return new AuditLog(files, maxBytes, channel);
  }

  /**
   * A crash in the middle of a write can leave part of a line at the end: it gets its line end,
   * so the next entry starts a line of its own (readers skip the torn one).
   */
  private static void endTornLine(Path file, FileChannel channel) throws IOException {
    long size = channel.size();
    if (size == 0) return;
    ByteBuffer last = ByteBuffer.allocate(1);
    try (FileChannel reader = FileChannel.open(file, StandardOpenOption.READ)) {
      reader.read(last, size - 1);
    }
    if (last.get(0) == '\n') return;
    channel.write(ByteBuffer.wrap(new byte[] {'\n'}));
    channel.force(false);
  }

  private static FileChannel append(Path file) throws IOException {
    return FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
  }

  /** Where the current file is. */
  public Path path() {
    return files.current();
  }

  /** How many forces the log has made: with concurrent callers, fewer than the entries. */
  public long forces() {
    io.lock();
    try {
      return forces;
    } finally {
      io.unlock();
    }
  }

  @Override
  public void record(AuditEntry entry) throws IOException {
    byte[] line = (AuditLine.format(entry) + "\n").getBytes(StandardCharsets.UTF_8);
    Batch mine;
    lock.lock();
    try {
      if (closed) throw new IOException("audit log " + files.current() + " is closed");
      mine = open;
      mine.lines.writeBytes(line);
      while (!mine.finished) {
        if (leading) {
          done.awaitUninterruptibly();
          continue;
        }
        leading = true;
        Batch taken = open;
        open = new Batch();
        lock.unlock();
        IOException failure = null;
        try {
          if (closed) throw new IOException("closed");
          write(taken.lines);
        } catch (IOException e) {
          failure = e;
        } finally {
          lock.lock();
        }
        taken.failure = failure;
        taken.finished = true;
        leading = false;
        done.signalAll();
      }
    } finally {
      lock.unlock();
    }
    if (mine.failure != null) {
      throw new IOException("audit log " + files.current() + ": " + mine.failure.getMessage(), mine.failure);
    }
  }

  private void write(ByteArrayOutputStream lines) throws IOException {
    io.lock();
    try {
      ByteBuffer buf = ByteBuffer.wrap(lines.toByteArray());
      while (buf.hasRemaining()) channel.write(buf);
      channel.force(false);
      forces++;
      size += lines.size();
      if (size > maxBytes) rotate();
    } finally {
      io.unlock();
    }
  }

  /**
   * Called with {@link #io} held, after a force: the lines are durable before the file moves. A
   * rotation that fails leaves the entries where they are and the log writing on: the batch's
   * callers were already served by the force, and the next write tries again.
   */
  private void rotate() throws IOException {
    channel.close();
    try {
      files.rotate();
      size = 0;
    } catch (IOException e) {
      LOG.warn("rotating {}: {}; writing on in it", files.current(), e.toString());
    } finally {
      channel = append(files.current());
    }
    files.forceDirectory();
  }

  /**
   * The entries at or after {@code since}, oldest first, across the rotated files, passed to
   * {@code out} (which may stop the read by returning false). Entries recorded while this reads
   * are not included.
   *
   * @return how many entries were passed
   */
  public long read(Instant since, Predicate<AuditRecord> out) throws IOException {
    try (AuditReader reader = snapshot()) {
      return reader.read(since, out);
    }
  }

  /** Opens every file at one moment, between two writes, with the current file's length then. */
  private AuditReader snapshot() throws IOException {
    List<AuditReader.Part> parts = new ArrayList<>();
    io.lock();
    try {
      for (Path p : files.oldestFirst()) {
        FileChannel c = FileChannel.open(p, StandardOpenOption.READ);
        parts.add(new AuditReader.Part(c, c.size()));
      }
    } catch (IOException e) {
      for (AuditReader.Part p : parts) p.channel().close();
      throw e;
    } finally {
      io.unlock();
    }
    return new AuditReader(parts);
  }

  /** Waits for a force under way, then closes the file; later {@link #record} calls fail. */
  @Override
  public void close() throws IOException {
    lock.lock();
    try {
      closed = true;
      while (leading) done.awaitUninterruptibly();
    } finally {
      lock.unlock();
    }
    io.lock();
    try {
      channel.close();
    } finally {
      io.unlock();
    }
  }
}
