package gantry.node.raft;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import gantry.node.store.AppliedPosition;
import gantry.node.store.StateStore;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.SizeInBytes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The calls Ratis makes on a follower that receives two snapshots from the leader in a row,
 * replayed in the order that broke a manager in the 30-minute chaos campaign
 * (chaos-tests/findings/2026-11-30-campaign-30m): the reload requested for the first install
 * runs after Ratis paused the state machine for the second but before it published it. Real
 * Ratis storage and RocksDB; Ratis' own steps (receiving into the temporary directory,
 * publishing by replacing the snapshot directory) are done here as its SnapshotManager does them.
 * Ratis asks for the newest snapshot on every append; the answer follows each change of the
 * snapshot directory, whatever the directory's modification time says.
 */
class SnapshotInstallRaceTest {
  @TempDir Path dir;
  private RaftStorage storage;
  private GantryStateMachine sm;
  private Path sm() {
    return storage.getStorageDir().getStateMachineDir().toPath();
  }

  @BeforeEach
  void follower() throws Exception {
    storage = RaftStorage.newBuilder()
        .setDirectory(dir.resolve("follower").toFile())
        .setOption(RaftStorage.StartupOption.FORMAT)
        .setStorageFreeSpaceMin(SizeInBytes.ONE_MB)
        .setLogCorruptionPolicy(RaftServerConfigKeys.Log.CorruptionPolicy.EXCEPTION)
        .build();
    storage.initialize();
    sm = new GantryStateMachine();
    sm.initialize(server("m1"), RaftGroupId.randomId(), storage);
  }

  @AfterEach
  void close() throws Exception {
    if (sm != null) sm.close();
    storage.close();
  }

  @Test
  void aReloadThatRunsBeforeTheNextInstallIsPublishedLoadsThatInstall() throws Exception {
    Path first = leaderSnapshot(TermIndex.valueOf(2, 100));
    Path second = leaderSnapshot(TermIndex.valueOf(2, 300));

    receive(first, "req-1");
    sm.pause();
    publish("req-1");
    receive(second, "req-2");
    sm.pause();

    // The reload requested for the first install starts now; Ratis publishes the second later.
    AtomicReference<Throwable> failed = new AtomicReference<>();
    Thread reload = Thread.ofPlatform().start(() -> {
      try {
        sm.reinitialize();
      } catch (Throwable t) {
        failed.set(t);
      }
    });
    await().atMost(Duration.ofSeconds(20))
        .until(() -> reload.getState() == Thread.State.TIMED_WAITING || !reload.isAlive());
    publish("req-2");
    reload.join(Duration.ofSeconds(30).toMillis());

    assertNull(failed.get(), () -> "the reload failed: " + failed.get());
    assertEquals(300, sm.store().applied().index(), "the state machine holds the snapshot published last");
    assertEquals(300, sm.appliedIndex(), "and tells Ratis it applied up to that snapshot");
  }

  @Test
  void noSnapshotIsTakenWhileAReceivedOneAwaitsPublication() throws Exception {
    receive(leaderSnapshot(TermIndex.valueOf(2, 100)), "req-1");
    sm.pause();
    publish("req-1");
    sm.reinitialize();
    receive(leaderSnapshot(TermIndex.valueOf(2, 300)), "req-2");
    sm.pause();

    assertEquals(-1, sm.takeSnapshot(), "Ratis is told no snapshot was taken");
    try (var names = Files.list(sm().resolve("snapshots"))) {
      assertEquals(java.util.List.of("snapshot.2_100"), names.map(p -> p.getFileName().toString()).toList(),
          "nothing was written beside the snapshot Ratis is about to publish");
    }

    publish("req-2");
    sm.reinitialize();
    assertEquals(300, sm.store().applied().index());
    assertEquals(300, sm.takeSnapshot(), "once loaded, snapshots are taken again");
  }

  @Test
  void anInstallCutShortByALeaderChangeIsNotAwaited() throws Exception {
    // A deposed leader's install of its newer snapshot stopped half way; the new leader's, of an
    // older index, completes afterwards.
    receive(leaderSnapshot(TermIndex.valueOf(3, 500)), "req-old");
    var minuteAgo = java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000);
    try (var written = Files.walk(sm().resolve("tmp").resolve("snapshot-req-old"))) {
      for (Path p : written.toList()) Files.setLastModifiedTime(p, minuteAgo);
    }
    receive(leaderSnapshot(TermIndex.valueOf(4, 420)), "req-new");
    sm.pause();
    assertEquals(420, sm.awaitedSnapshotIndex(), "the reload waits for the snapshot received last");
    publish("req-new");
    sm.reinitialize();
    assertEquals(420, sm.store().applied().index());
  }

  @Test
  void theNewestSnapshotFollowsEveryChangeOfTheDirectoryWhateverItsModificationTime() throws Exception {
    sm.notifyTermIndexUpdated(2, 100);
    assertEquals(100, sm.takeSnapshot());
    assertEquals(TermIndex.valueOf(2, 100), sm.getLatestSnapshot().getTermIndex());
    assertEquals(TermIndex.valueOf(2, 100), sm.getLatestSnapshot().getTermIndex(), "asked again, unchanged");
    // Timestamps are coarse: a snapshot taken within the same tick leaves the directory's time as
    // it was. Set it back to show the answer does not depend on it.
    Path snapshots = sm().resolve("snapshots");
    var time = Files.getLastModifiedTime(snapshots);

    sm.notifyTermIndexUpdated(2, 200);
    assertEquals(200, sm.takeSnapshot());
    Files.setLastModifiedTime(snapshots, time);
    assertEquals(TermIndex.valueOf(2, 200), sm.getLatestSnapshot().getTermIndex(), "a snapshot taken here");

    receive(leaderSnapshot(TermIndex.valueOf(3, 300)), "req-1");
    sm.pause();
    publish("req-1");
    Files.setLastModifiedTime(snapshots, time);
    assertEquals(TermIndex.valueOf(3, 300), sm.getLatestSnapshot().getTermIndex(), "a snapshot Ratis published by a rename");
    sm.reinitialize();
    assertEquals(300, sm.store().applied().index());
    assertEquals(300, sm.appliedIndex());
  }

  /** A RocksDB checkpoint at {@code ti}, as the leader's snapshot directory holds it. */
  private Path leaderSnapshot(TermIndex ti) throws Exception {
    Path db = dir.resolve("leader-db-" + ti.getIndex());
    Path snapshot = dir.resolve("leader-snapshots").resolve(SnapshotDirectory.nameOf(ti));
    Files.createDirectories(snapshot.getParent());
    try (StateStore s = StateStore.open(db)) {
      s.putApplied(new AppliedPosition(ti.getTerm(), ti.getIndex()));
      s.checkpoint(snapshot);
    }
    return snapshot;
  }

  /** What Ratis' SnapshotManager does with each chunk: write it under tmp/snapshot-REQUEST/. */
  private void receive(Path snapshot, String request) throws Exception {
    Path into = sm().resolve("tmp").resolve("snapshot-" + request).resolve(snapshot.getFileName());
    Files.createDirectories(into);
    try (var files = Files.list(snapshot)) {
      for (Path f : files.toList()) Files.copy(f, into.resolve(f.getFileName()));
    }
  }

  /** What Ratis' SnapshotManager does once all chunks arrived: replace the snapshot directory. */
  private void publish(String request) throws Exception {
    Path snapshots = sm().resolve("snapshots");
    Path aside = sm().resolve("snapshots.old");
    Files.move(snapshots, aside);
    Files.move(sm().resolve("tmp").resolve("snapshot-" + request), snapshots);
    SnapshotDirectory.deleteTree(aside);
  }

  /** Ratis names the state machine after its server; nothing else of the server is used here. */
  private static RaftServer server(String id) {
    return (RaftServer) Proxy.newProxyInstance(RaftServer.class.getClassLoader(), new Class<?>[] {RaftServer.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "getId" -> RaftPeerId.valueOf(id);
          case "toString" -> "server " + id;
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }
}
