package gantry.node.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.BiConsumer;
import org.rocksdb.Checkpoint;
import org.rocksdb.CompressionType;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksIterator;
import org.rocksdb.Snapshot;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * The applied state on disk: one RocksDB database of key/value pairs.
 *
 * <p>Keys are {@code <kind>/<id>} with kinds defined in {@link Keys}; {@link Keys#APPLIED}
 * holds the Raft term and index of the last applied entry and is written in the same
 * {@link WriteBatch} as that entry's effects, so a restart neither re-applies nor skips one.
 *
 * <p>Writes do not fsync: the Raft log is the durable record, and an entry whose batch was
 * lost in a crash is applied again from the log (which is compacted only behind a
 * checkpoint, see {@link #checkpoint(Path)}).
 */
public final class StateStore implements AutoCloseable {
  static {
    RocksDB.loadLibrary();
  }

  private final Path dir;
  private final Options options;
  private final WriteOptions writeOptions;
  private final RocksDB db;

  private StateStore(Path dir, Options options, RocksDB db) {
    this.dir = dir;
    this.options = options;
    this.db = db;
    this.writeOptions = new WriteOptions().setSync(false);
  }

  /** Opens (creating if needed) the database in {@code dir}. */
  public static StateStore open(Path dir) throws IOException {
    Files.createDirectories(dir);
    Options options = new Options()
        .setCreateIfMissing(true)
        .setCompressionType(CompressionType.LZ4_COMPRESSION)
        .setMaxBackgroundJobs(2)
        .setKeepLogFileNum(2);
    try {
      return new StateStore(dir, options, RocksDB.open(options, dir.toString()));
    } catch (RocksDBException e) {
      options.close();
      throw new IOException("cannot open state store in " + dir + ": " + e.getMessage(), e);
    }
  }

  public Path dir() {
    return dir;
  }

  public byte[] get(String key) {
    try {
      return db.get(key.getBytes(StandardCharsets.UTF_8));
    } catch (RocksDBException e) {
      throw new StoreException("read " + key, e);
    }
  }

  /** Every pair whose key starts with {@code prefix}, in key order. */
  public void scan(String prefix, BiConsumer<String, byte[]> visitor) {
    byte[] p = prefix.getBytes(StandardCharsets.UTF_8);
    try (RocksIterator it = db.newIterator()) {
      for (it.seek(p); it.isValid() && startsWith(it.key(), p); it.next()) {
        visitor.accept(new String(it.key(), StandardCharsets.UTF_8), it.value());
      }
    }
  }

  /** Writes a batch atomically. */
  public void write(WriteBatch batch) {
    try {
      db.write(writeOptions, batch);
    } catch (RocksDBException e) {
      throw new StoreException("write batch", e);
    }
  }

  /** The last applied Raft position recorded in the store, or null for an empty store. */
  public AppliedPosition applied() {
    byte[] v = get(Keys.APPLIED);
    return v == null ? null : AppliedPosition.decode(v);
  }

  /** Records the applied position alone (for entries that carry no records). */
  public void putApplied(AppliedPosition position) {
    try (WriteBatch batch = new WriteBatch()) {
      batch.put(Keys.bytes(Keys.APPLIED), position.encode());
      write(batch);
    } catch (RocksDBException e) {
      throw new StoreException("write applied position", e);
    }
  }

  /**
   * Writes a consistent copy of the database into {@code target} (which must not exist):
   * SST files are hard links, so this is cheap; memtables are flushed first.
   */
  public void checkpoint(Path target) throws IOException {
    try (FlushOptions flush = new FlushOptions().setWaitForFlush(true);
         Checkpoint cp = Checkpoint.create(db)) {
      db.flush(flush);
      cp.createCheckpoint(target.toString());
    } catch (RocksDBException e) {
      throw new IOException("checkpoint into " + target + ": " + e.getMessage(), e);
    }
  }

  /**
   * SHA-256 over every key and value except the applied position, in key order, read from one
   * consistent RocksDB snapshot: two peers that applied the same log have the same digest.
   */
  public Digest digest() {
    MessageDigest sha;
    try {
      sha = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    byte[] appliedKey = Keys.bytes(Keys.APPLIED);
    AppliedPosition applied = AppliedPosition.NONE;
    long keys = 0;
    Snapshot snap = db.getSnapshot();
    try (ReadOptions ro = new ReadOptions().setSnapshot(snap); RocksIterator it = db.newIterator(ro)) {
      for (it.seekToFirst(); it.isValid(); it.next()) {
        byte[] k = it.key();
        byte[] v = it.value();
        if (java.util.Arrays.equals(k, appliedKey)) {
          applied = AppliedPosition.decode(v);
          continue;
        }
        keys++;
        sha.update(ByteBuffer.allocate(8).putInt(k.length).putInt(v.length).array());
        sha.update(k);
        sha.update(v);
      }
    } finally {
      db.releaseSnapshot(snap);
    }
    return new Digest(HexFormat.of().formatHex(sha.digest()), applied, keys);
  }

  /**
   * Visits every key and value in key order, from one consistent RocksDB snapshot (a backup reads
   * the state at exactly one applied position, whatever is applied meanwhile).
   */
  public void readConsistent(BiConsumer<byte[], byte[]> visitor) {
    Snapshot snap = db.getSnapshot();
    try (ReadOptions ro = new ReadOptions().setSnapshot(snap); RocksIterator it = db.newIterator(ro)) {
      for (it.seekToFirst(); it.isValid(); it.next()) visitor.accept(it.key(), it.value());
    } finally {
      db.releaseSnapshot(snap);
    }
  }

  /** The digest of the state, the position it was read at, and how many keys it covers. */
  public record Digest(String sha256, AppliedPosition applied, long keys) {}

  @Override
  public void close() {
    db.close();
    writeOptions.close();
    options.close();
  }

  private static boolean startsWith(byte[] key, byte[] prefix) {
    if (key.length < prefix.length) return false;
    for (int i = 0; i < prefix.length; i++) {
      if (key[i] != prefix[i]) return false;
    }
    return true;
  }

  /** A RocksDB failure while applying: the peer cannot go on without risking divergence. */
  public static final class StoreException extends UncheckedIOException {
    private static final long serialVersionUID = 1L;

    StoreException(String what, RocksDBException e) {
      super(what + ": " + e.getMessage(), new IOException(e));
    }
  }
}
