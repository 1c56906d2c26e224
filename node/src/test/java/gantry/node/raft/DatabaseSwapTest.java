package gantry.node.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.node.store.AppliedPosition;
import gantry.node.store.Keys;
import gantry.node.store.StateStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.rocksdb.WriteBatch;

/**
 * A crash after each step of the swap, then recovery: the store opens and holds the old state or
 * the snapshot's, completely, and a restore afterwards succeeds.
 */
class DatabaseSwapTest {
  @TempDir Path dir;
  private Path live;
  private List<Path> snapshotFiles;
  private StateStore.Digest oldState;
  private StateStore.Digest snapshotState;

  /** Stands for the process dying at the step it names. */
  private static final class Crash extends IOException {
    private static final long serialVersionUID = 1L;

    Crash(DatabaseSwap.Step step) {
      super("crash after " + step);
    }
  }

  @BeforeEach
  void stores() throws Exception {
    live = dir.resolve("sm").resolve("db");
    try (StateStore s = StateStore.open(live)) {
      for (int i = 0; i < 50; i++) put(s, "j/old-" + i, "v" + i, 5);
      oldState = s.digest();
    }
    Path source = dir.resolve("leader-db");
    Path snapshot = dir.resolve("snapshot.2_10");
    try (StateStore s = StateStore.open(source)) {
      for (int i = 0; i < 80; i++) put(s, "j/new-" + i, "w" + i, 10);
      snapshotState = s.digest();
      s.checkpoint(snapshot);
    }
    try (Stream<Path> files = Files.list(snapshot)) {
      snapshotFiles = files.sorted().toList();
    }
  }

  @ParameterizedTest
  @EnumSource(DatabaseSwap.Step.class)
  void aCrashAfterAnyStepRecoversToOneWholeDatabase(DatabaseSwap.Step crashAt) throws Exception {
    DatabaseSwap crashing = new DatabaseSwap(live, step -> {
      if (step == crashAt) throw new Crash(step);
    });
    assertThrows(Crash.class, () -> crashing.replaceWith(snapshotFiles, "snapshot.2_10"));

    new DatabaseSwap(live).recover();

    // The old database is given up only once the copy is sealed: from MOVED_ASIDE on, the new one wins.
    StateStore.Digest expected = crashAt.compareTo(DatabaseSwap.Step.MOVED_ASIDE) < 0 ? oldState : snapshotState;
    assertEquals(expected, digestOfLive(), "after a crash at " + crashAt);
    assertOnlyTheLiveDatabase();

    new DatabaseSwap(live).replaceWith(snapshotFiles, "snapshot.2_10");
    assertEquals(snapshotState, digestOfLive());
    assertOnlyTheLiveDatabase();
  }

  @Test
  void aCopyMovedInWithoutItsSealIsRolledBack() throws Exception {
    // Not reachable through replaceWith (the move aside waits for the seal), but if the seal is
    // lost anyway the copy is not trusted: the old database comes back.
    assertThrows(Crash.class, () -> new DatabaseSwap(live, step -> {
      if (step == DatabaseSwap.Step.MOVED_ASIDE) throw new Crash(step);
    }).replaceWith(snapshotFiles, "snapshot.2_10"));
    Path restoring = live.resolveSibling("db.restoring");
    Files.delete(restoring.resolve(DatabaseSwap.SEALED));
    try (Stream<Path> files = Files.list(restoring)) {
      Files.delete(files.filter(f -> f.getFileName().toString().endsWith(".sst")).findFirst().orElseThrow());
    }

    new DatabaseSwap(live).recover();

    assertEquals(oldState, digestOfLive());
    assertOnlyTheLiveDatabase();
  }

  @Test
  void aPartialCopyBesideTheLiveDatabaseIsDiscarded() throws Exception {
    Path restoring = live.resolveSibling("db.restoring");
    Files.createDirectories(restoring);
    Files.copy(snapshotFiles.getFirst(), restoring.resolve(snapshotFiles.getFirst().getFileName()));

    new DatabaseSwap(live).recover();

    assertEquals(oldState, digestOfLive());
    assertOnlyTheLiveDatabase();
  }

  @Test
  void theSnapshotFilesAreLeftIntact() throws Exception {
    new DatabaseSwap(live).replaceWith(snapshotFiles, "snapshot.2_10");
    try (StateStore s = StateStore.open(live)) {
      put(s, "j/after", "x", 11);
      s.checkpoint(dir.resolve("flushed")); // flushes: a new SST and a MANIFEST edit
    }
    try (StateStore s = StateStore.open(snapshotFiles.getFirst().getParent())) {
      assertEquals(snapshotState, s.digest());
    }
  }

  private StateStore.Digest digestOfLive() throws IOException {
    try (StateStore s = StateStore.open(live)) {
      return s.digest();
    }
  }

  private void assertOnlyTheLiveDatabase() {
    assertTrue(Files.isDirectory(live));
    assertFalse(Files.exists(live.resolveSibling("db.restoring")), "db.restoring left");
    assertFalse(Files.exists(live.resolveSibling("db.old")), "db.old left");
    assertFalse(Files.exists(live.resolve(DatabaseSwap.SEALED)), "seal left in db");
  }

  private static void put(StateStore s, String k, String v, long index) throws Exception {
    try (WriteBatch wb = new WriteBatch()) {
      wb.put(Keys.bytes(k), v.getBytes(StandardCharsets.UTF_8));
      wb.put(Keys.bytes(Keys.APPLIED), new AppliedPosition(1, index).encode());
      s.write(wb);
    }
  }
}
