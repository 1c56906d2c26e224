package gantry.node.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.node.store.AppliedPosition;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.LogEntryHeader;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.SizeInBytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peer that starts with a store ahead of its newest snapshot (a crash between two snapshots)
 * takes a snapshot at the store's position, so Ratis restarts its applier there instead of
 * walking the log from the older snapshot. Real Ratis storage and RocksDB.
 */
class StartCheckpointTest {
  @TempDir Path dir;
  private final RaftGroupId group = RaftGroupId.randomId();

  @Test
  void aStoreAheadOfItsSnapshotIsSnapshottedOnStart() throws Exception {
    RaftStorage storage = storage(RaftStorage.StartupOption.FORMAT);
    GantryStateMachine before = start(storage);
    before.notifyTermIndexUpdated(2, 100);
    assertEquals(100, before.takeSnapshot(), "a snapshot at 100, as Ratis asks for one");
    // Entries up to 180 applied, then a crash before the next snapshot.
    before.store().putApplied(new AppliedPosition(3, 180));
    before.close();
    storage.close();

    storage = storage(RaftStorage.StartupOption.RECOVER);
    GantryStateMachine after = start(storage);
    try {
      assertEquals(TermIndex.valueOf(3, 180), after.getLatestSnapshot().getTermIndex(),
          "the newest snapshot is at the store's position");
      assertEquals(180, after.appliedIndex(), "Ratis is told the state machine applied up to there");
      assertEquals(List.of("snapshot.2_100", "snapshot.3_180"), snapshotNames(storage),
          "a snapshot like any other, beside the older one");
    } finally {
      after.close();
      storage.close();
    }
  }

  @Test
  void aStoreAtItsSnapshotTakesNoOther() throws Exception {
    RaftStorage storage = storage(RaftStorage.StartupOption.FORMAT);
    GantryStateMachine before = start(storage);
    before.notifyTermIndexUpdated(2, 100);
    before.takeSnapshot();
    before.close();
    storage.close();

    storage = storage(RaftStorage.StartupOption.RECOVER);
    GantryStateMachine after = start(storage);
    try {
      assertEquals(List.of("snapshot.2_100"), snapshotNames(storage));
      assertEquals(100, after.appliedIndex());
      SnapshotDirectory snapshots = (SnapshotDirectory) after.getStateMachineStorage();
      StartCheckpoint again = new StartCheckpoint();
      assertNull(again.take(snapshots, after.store(), after.store().applied(), snapshots.getLatestSnapshot()),
          "nothing after the newest snapshot: no snapshot, Ratis starts at that one");
      assertFalse(again.pending(), "and no range to check");
    } finally {
      after.close();
      storage.close();
    }
  }

  @Test
  void theCoveredRangeIsCheckedAgainstTheLogOnce() {
    AppliedTerms terms = new AppliedTerms();
    terms.startsTerm(2, 1);
    terms.startsTerm(3, 151);
    // The log's start was purged up to 120; at 150 is the new leader's first entry of term 3,
    // which Ratis applies itself: this peer's first applied entry of term 3 is 151.
    List<LogEntryHeader> log = new ArrayList<>();
    for (long i = 120; i <= 180; i++) log.add(header(i < 150 ? 2 : 3, i, i == 150 ? CONF : SM));

    StartCheckpoint same = covering(100, 180);
    assertTrue(same.pending());
    assertNull(same.check(log.toArray(LogEntryHeader[]::new), terms), "the log holds what was applied");
    assertFalse(same.pending(), "checked once");

    log.set(160 - 120, header(4, 160, SM));
    StartCheckpoint differs = covering(100, 180);
    assertEquals("log entry 160 has term 4 but this peer applied an entry of term 3 at that index",
        differs.check(log.toArray(LogEntryHeader[]::new), terms));
    assertFalse(differs.pending(), "and not checked again");
  }

  private static final LogEntryProto.LogEntryBodyCase SM = LogEntryProto.LogEntryBodyCase.STATEMACHINELOGENTRY;
  private static final LogEntryProto.LogEntryBodyCase CONF = LogEntryProto.LogEntryBodyCase.CONFIGURATIONENTRY;

  private static LogEntryHeader header(long term, long index, LogEntryProto.LogEntryBodyCase body) {
    return LogEntryHeader.valueOf(TermIndex.valueOf(term, index), body);
  }

  /** A start checkpoint over (from, to], taken of a real store. */
  private StartCheckpoint covering(long from, long to) {
    RaftStorage storage = storage("covering-" + to + "-" + System.nanoTime(), RaftStorage.StartupOption.FORMAT);
    try {
      GantryStateMachine sm = start(storage);
      try {
        SnapshotDirectory snapshots = (SnapshotDirectory) sm.getStateMachineStorage();
        sm.store().putApplied(new AppliedPosition(2, from));
        snapshots.create(sm.store(), TermIndex.valueOf(2, from));
        sm.store().putApplied(new AppliedPosition(3, to));
        StartCheckpoint c = new StartCheckpoint();
        TermIndex at = c.take(snapshots, sm.store(), sm.store().applied(), snapshots.getLatestSnapshot());
        assertEquals(TermIndex.valueOf(3, to), at);
        return c;
      } finally {
        sm.close();
        storage.close();
      }
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private RaftStorage storage(RaftStorage.StartupOption option) {
    return storage("peer", option);
  }

  private RaftStorage storage(String name, RaftStorage.StartupOption option) {
    try {
      RaftStorage s = RaftStorage.newBuilder()
          .setDirectory(dir.resolve(name).toFile())
          .setOption(option)
          .setStorageFreeSpaceMin(SizeInBytes.ONE_MB)
          .setLogCorruptionPolicy(RaftServerConfigKeys.Log.CorruptionPolicy.EXCEPTION)
          .build();
      s.initialize();
      return s;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  private GantryStateMachine start(RaftStorage storage) throws Exception {
    GantryStateMachine sm = new GantryStateMachine();
    sm.initialize(server(), group, storage);
    return sm;
  }

  private static List<String> snapshotNames(RaftStorage storage) throws Exception {
    try (var names = Files.list(storage.getStorageDir().getStateMachineDir().toPath().resolve("snapshots"))) {
      return names.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  /** Ratis names the state machine after its server; nothing else of the server is used here. */
  private static RaftServer server() {
    return (RaftServer) Proxy.newProxyInstance(RaftServer.class.getClassLoader(), new Class<?>[] {RaftServer.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "getId" -> RaftPeerId.valueOf("m1");
          case "toString" -> "server m1";
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }
}
