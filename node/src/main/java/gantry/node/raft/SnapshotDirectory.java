package gantry.node.raft;

import gantry.node.store.StateStore;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;

/**
 * Snapshots as RocksDB checkpoints: {@code <sm>/snapshots/snapshot.<term>_<index>/}, one
 * directory of SST/MANIFEST files per snapshot, published by an atomic rename.
 *
 * <p>Ratis sends a snapshot's files to a lagging follower relative to {@link #getSnapshotDir()}
 * and, once all arrived, replaces the follower's whole snapshot directory with them; the live
 * database therefore lives beside it ({@code <sm>/db}), never inside.
 */
final class SnapshotDirectory implements StateMachineStorage {
  private static final Pattern NAME = Pattern.compile("snapshot\\.(\\d+)_(\\d+)");
  private static final String DIGEST_SUFFIX = ".md5";

  private volatile File smDir;
  private volatile File snapshots;
  private volatile File tmp;
  /** The last listing and the directory state it was made in; null when unknown. Guarded by this. */
  private Known known;
  /** Changes made to the directory's entries here. Guarded by this. */
  private long changes;

  private record Known(Object key, SnapshotInfo info) {}

  @Override
  public void init(RaftStorage storage) throws IOException {
    smDir = storage.getStorageDir().getStateMachineDir();
    snapshots = new File(smDir, "snapshots");
    tmp = new File(smDir, "tmp");
    Files.createDirectories(snapshots.toPath());
    Files.createDirectories(tmp.toPath());
  }

  /** Where the live database lives. */
  Path liveDbDir() {
    return smDir.toPath().resolve("db");
  }

  @Override
  public File getSnapshotDir() {
    return snapshots;
  }

  @Override
  public File getTmpDir() {
    return tmp;
  }

  /**
   * The newest snapshot, as of the last listing while the snapshots directory is the same one,
   * unchanged since. Ratis asks on every append: three times for each AppendEntries a follower
   * takes, and once per pass of each of the leader's log appenders; listing the directory and the
   * newest snapshot's files each time took 2-3 % of every peer's CPU under writes. The directory's
   * entries change only here ({@link #create}, {@link #cleanupOldSnapshots}, which drop what is
   * known once their change is made), and Ratis publishes a snapshot installed from the leader by
   * renaming a whole new directory into its place, which has another file key.
   */
  @Override
  public SnapshotInfo getLatestSnapshot() {
    Path root = snapshots.toPath();
    Object key = listingKey(root);
    long generation;
    synchronized (this) {
      generation = changes;
      if (known != null && key != null && known.key().equals(key)) return known.info();
    }
    SnapshotInfo info = listLatest();
    synchronized (this) {
      // Kept only if no change of ours was made since the listing began (one made meanwhile may
      // leave the directory's modification time as it was: timestamps are coarse) and Ratis did
      // not replace the directory.
      if (key != null && generation == changes && key.equals(listingKey(root))) known = new Known(key, info);
    }
    return info;
  }

  /** Forgets the last listing: called once an entry of the directory was added or removed. */
  private synchronized void changed() {
    changes++;
    known = null;
  }

  /** What tells one state of the snapshots directory from another: its file key and modification time. */
  private static Object listingKey(Path dir) {
    try {
      BasicFileAttributes a = Files.readAttributes(dir, BasicFileAttributes.class);
      Object fileKey = a.fileKey();
      return fileKey == null ? null : List.of(fileKey, a.lastModifiedTime());
    } catch (IOException e) {
      return null;
    }
  }

  private SnapshotInfo listLatest() {
    Path dir = latestDir();
    if (dir == null) return null;
    TermIndex ti = termIndexOf(dir);
    List<FileInfo> files = new ArrayList<>();
    for (Path f : dataFiles(dir)) files.add(new FileInfo(f, null));
    return new FileListSnapshotInfo(files, ti);
  }

  /** Checkpoints the store at {@code ti} and publishes it as the newest snapshot. */
  void create(StateStore store, TermIndex ti) throws IOException {
    Path target = snapshots.toPath().resolve(nameOf(ti));
    if (Files.exists(target)) return;
    Path staging = tmp.toPath().resolve(nameOf(ti) + ".staging");
    deleteTree(staging);
    store.checkpoint(staging);
    syncTree(staging);
    Files.move(staging, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    changed();
    // Ratis purges the log behind a snapshot once this returns: the rename must survive a crash.
    DatabaseSwap.fsync(snapshots.toPath());
  }

  /**
   * Replaces the live database directory with a copy (hard links where possible) of the
   * newest snapshot, crash-safely (see {@link DatabaseSwap}). The caller has closed the store.
   */
  TermIndex restoreLatestInto(Path liveDb) throws IOException {
    Path dir = latestDir();
    if (dir == null) throw new IOException("no snapshot in " + snapshots);
    new DatabaseSwap(liveDb).replaceWith(dataFiles(dir), dir.getFileName().toString());
    return termIndexOf(dir);
  }

  /**
   * Finishes or rolls back a restore that a crash interrupted, so that exactly one complete
   * live database exists before the store is opened.
   */
  void recoverInterruptedRestore() throws IOException {
    new DatabaseSwap(liveDbDir()).recover();
  }

  @Override
  public void format() {}

  @Override
  public void cleanupOldSnapshots(SnapshotRetentionPolicy policy) throws IOException {
    int keep = Math.max(2, policy == null ? 2 : policy.getNumSnapshotsRetained());
    List<Path> all = snapshotDirs();
    try {
      for (int i = 0; i < all.size() - keep; i++) deleteTree(all.get(i));
    } catch (java.nio.file.NoSuchFileException e) {
      // Ratis replaced the directory with a snapshot from the leader meanwhile: nothing to clean.
    } finally {
      changed();
    }
  }

  private Path latestDir() {
    List<Path> all = snapshotDirs();
    return all.isEmpty() ? null : all.getLast();
  }

  /** Published snapshot directories, oldest first. */
  private List<Path> snapshotDirs() {
    try (Stream<Path> s = Files.list(snapshots.toPath())) {
      return s.filter(p -> NAME.matcher(p.getFileName().toString()).matches() && Files.isDirectory(p))
          .sorted(Comparator.comparingLong((Path p) -> termIndexOf(p).getIndex()))
          .toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static List<Path> dataFiles(Path dir) {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> Files.isRegularFile(p) && !p.getFileName().toString().endsWith(DIGEST_SUFFIX))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static String nameOf(TermIndex ti) {
    return "snapshot." + ti.getTerm() + "_" + ti.getIndex();
  }

  static TermIndex termIndexOf(Path dir) {
    Matcher m = NAME.matcher(dir.getFileName().toString());
    if (!m.matches()) throw new IllegalArgumentException("not a snapshot directory: " + dir);
    return TermIndex.valueOf(Long.parseLong(m.group(1)), Long.parseLong(m.group(2)));
  }

  /**
   * Makes the newest snapshot durable. Ratis writes an installed snapshot's files without
   * fsyncing them and then truncates its log behind it, so a power loss before they reach the
   * disk would leave a snapshot that cannot be opened and no log to rebuild from (found by the
   * chaos suite's power-loss fault). Called before an installed snapshot is loaded.
   */
  void syncLatest() throws IOException {
    Path dir = latestDir();
    if (dir != null) {
      syncTree(dir);
      DatabaseSwap.fsync(snapshots.toPath());
      DatabaseSwap.fsync(smDir.toPath());
    }
  }

  /**
   * Makes durable the snapshot Ratis has just received from the leader into
   * {@link #getTmpDir()} ({@code tmp/snapshot-REQUEST/snapshot.T_I/...}), before Ratis publishes
   * it. An install that a leader change cut short leaves its directory behind, possibly with a
   * higher index than the one now complete: the one Ratis is about to publish is the one written
   * last.
   *
   * @return the index of the snapshot just received, or -1 if none
   */
  long syncReceived() throws IOException {
    Path newest = null;
    java.nio.file.attribute.FileTime newestTime = null;
    try (Stream<Path> requests = Files.list(tmp.toPath())) {
      for (Path request : requests.filter(Files::isDirectory).toList()) {
        java.nio.file.attribute.FileTime t = lastWritten(request);
        if (newestTime == null || t.compareTo(newestTime) > 0) {
          newest = request;
          newestTime = t;
        }
      }
    }
    if (newest == null) return -1;
    long index = -1;
    List<Path> all;
    try (Stream<Path> s = Files.walk(newest)) {
      all = s.toList();
    }
    // Deepest first: a directory is synced after the entries in it.
    for (Path p : all.reversed()) {
      DatabaseSwap.fsync(p);
      if (Files.isDirectory(p) && NAME.matcher(p.getFileName().toString()).matches()) {
        index = Math.max(index, termIndexOf(p).getIndex());
      }
    }
    DatabaseSwap.fsync(tmp.toPath());
    return index;
  }

  /** The newest modification time of anything under {@code dir}. */
  private static java.nio.file.attribute.FileTime lastWritten(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      java.nio.file.attribute.FileTime newest = java.nio.file.attribute.FileTime.fromMillis(0);
      for (Path p : s.toList()) {
        java.nio.file.attribute.FileTime t = Files.getLastModifiedTime(p);
        if (t.compareTo(newest) > 0) newest = t;
      }
      return newest;
    }
  }

  /** Fsyncs every regular file in {@code dir}, then the directory itself. */
  private static void syncTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      for (Path f : s.filter(Files::isRegularFile).toList()) DatabaseSwap.fsync(f);
    }
    DatabaseSwap.fsync(dir);
  }

  static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) return;
    try (Stream<Path> s = Files.walk(p)) {
      for (Path q : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(q);
    }
  }
}
