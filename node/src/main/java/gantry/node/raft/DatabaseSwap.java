package gantry.node.raft;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces the live RocksDB directory with a snapshot's files so that a crash at any moment
 * leaves, once {@link #recover()} has run, either the old database or the new one, whole.
 *
 * <p>Three sibling directories: {@code db} (live), {@code db.restoring} (the copy being staged)
 * and {@code db.old} (the live database moved aside). A staged copy is <em>sealed</em> when its
 * marker file {@value #SEALED} exists. The marker is written and fsynced only after every other
 * file and the directory itself were fsynced, so a sealed copy is a complete one; an unsealed
 * copy may miss files and is never used. The live database is moved aside only once the copy is
 * sealed, so at every moment one complete database exists under one of the three names.
 *
 * <p>The swap, one line per {@link Step} (a crash after a step leaves what its line shows):
 * <pre>
 * step         action                                                   on disk afterwards
 * (start)      recover(); delete a leftover db.restoring                db
 * STAGED       hard-link (or copy) the snapshot's files to db.restoring  db, db.restoring unsealed
 * SEALED       fsync each file and db.restoring; write the marker,      db, db.restoring sealed
 *              fsync it and db.restoring again
 * MOVED_ASIDE  rename db -> db.old                                      db.old, db.restoring sealed
 * SWAPPED      rename db.restoring -> db                                db.old, db (new, with marker)
 * SYNCED       fsync the parent directory: both renames are durable     db.old, db (new, with marker)
 * CLEANED      delete db.old, then the marker inside db                 db (new)
 * </pre>
 *
 * <p>Recovery, at the start of every load, by what it finds (a rename that was not yet fsynced
 * may be lost in a power cut; each row still holds, since the journal keeps renames in order):
 * <pre>
 * found                                     action                                        then
 * db                                        delete db.restoring, db.old, db's marker      db as found
 * no db; db.restoring sealed                rename it -> db, fsync parent, delete db.old   db (new)
 * no db; db.old; db.restoring unsealed      rename db.old -> db, fsync parent,             db (old)
 *   or absent                                 delete db.restoring
 * no db; no db.old                          delete an unsealed db.restoring                no db
 * </pre>
 * Keeping {@code db} whenever it exists is right: before MOVED_ASIDE it is the old database,
 * untouched; after SWAPPED it is the sealed copy. A swap rolled back or never started is simply
 * redone by the caller, since the snapshot is still newer than the store.
 */
final class DatabaseSwap {
  private static final Logger LOG = LoggerFactory.getLogger(DatabaseSwap.class);
  /** The marker that seals a staged copy; its content names the source, for the log. */
  static final String SEALED = "RESTORE-SEALED";

  /** The steps of {@link #replaceWith}, in order. */
  enum Step { STAGED, SEALED, MOVED_ASIDE, SWAPPED, SYNCED, CLEANED }

  /**
   * Runs after each step. The production swap passes one that does nothing; a test throws from
   * it to stop the swap there, as a crash would.
   */
  @FunctionalInterface
  interface AfterStep {
    void after(Step step) throws IOException;
  }

  private final Path live;
  private final Path restoring;
  private final Path old;
  private final AfterStep afterStep;

  DatabaseSwap(Path live) {
    this(live, step -> { });
  }

  DatabaseSwap(Path live, AfterStep afterStep) {
    this.live = live;
    this.restoring = live.resolveSibling(live.getFileName() + ".restoring");
    this.old = live.resolveSibling(live.getFileName() + ".old");
    this.afterStep = afterStep;
  }

  /**
   * Makes {@code files} (a snapshot's, which stay untouched) the live database. The caller has
   * closed the store.
   */
  void replaceWith(List<Path> files, String source) throws IOException {
    recover();
    SnapshotDirectory.deleteTree(restoring);
    Files.createDirectories(restoring);
    for (Path f : files) {
      Path to = restoring.resolve(f.getFileName());
      try {
        Files.createLink(to, f);
      } catch (IOException | UnsupportedOperationException e) {
        Files.copy(f, to);
      }
    }
    afterStep.after(Step.STAGED);

    try (Stream<Path> staged = Files.list(restoring)) {
      for (Path f : staged.toList()) fsync(f);
    }
    fsync(restoring);
    Path marker = restoring.resolve(SEALED);
    Files.writeString(marker, source + "\n", StandardCharsets.UTF_8);
    fsync(marker);
    fsync(restoring);
    afterStep.after(Step.SEALED);

    if (Files.exists(live)) Files.move(live, old, StandardCopyOption.ATOMIC_MOVE);
    afterStep.after(Step.MOVED_ASIDE);

    Files.move(restoring, live, StandardCopyOption.ATOMIC_MOVE);
    afterStep.after(Step.SWAPPED);

    fsync(live.getParent());
    afterStep.after(Step.SYNCED);

    SnapshotDirectory.deleteTree(old);
    Files.deleteIfExists(live.resolve(SEALED));
    afterStep.after(Step.CLEANED);
  }

  /** Finishes or rolls back a swap a crash interrupted; see the recovery table above. */
  void recover() throws IOException {
    if (Files.exists(live)) {
      if (Files.exists(restoring)) LOG.info("discarding {} left by an interrupted restore", restoring);
      if (Files.exists(old)) LOG.info("deleting {}: the restore before the crash had completed", old);
      SnapshotDirectory.deleteTree(restoring);
      SnapshotDirectory.deleteTree(old);
      Files.deleteIfExists(live.resolve(SEALED));
      return;
    }
    if (isSealed()) {
      LOG.warn("completing a restore a crash interrupted: {} -> {}", restoring, live);
      Files.move(restoring, live, StandardCopyOption.ATOMIC_MOVE);
      fsync(live.getParent());
      SnapshotDirectory.deleteTree(old);
      Files.deleteIfExists(live.resolve(SEALED));
    } else if (Files.exists(old)) {
      LOG.warn("rolling back a restore a crash interrupted: {} -> {}", old, live);
      Files.move(old, live, StandardCopyOption.ATOMIC_MOVE);
      fsync(live.getParent());
      SnapshotDirectory.deleteTree(restoring);
    } else {
      SnapshotDirectory.deleteTree(restoring);
    }
  }

  private boolean isSealed() {
    return Files.isRegularFile(restoring.resolve(SEALED));
  }

  /**
   * Forces a file's data, or a directory's entries, to disk. A directory can only be opened for
   * reading, and on Linux fsync on a read-only descriptor flushes it all the same.
   */
  static void fsync(Path path) throws IOException {
    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
      ch.force(true);
    }
  }
}
