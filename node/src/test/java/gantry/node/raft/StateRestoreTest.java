package gantry.node.raft;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import gantry.node.store.AppliedPosition;
import gantry.node.store.Keys;
import gantry.node.store.StateStore;
import gantry.v1.RecordOutcome;
import gantry.v1.StateEntry;
import gantry.v1.StateRestoreChunk;
import gantry.v1.StateRestored;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

/**
 * The restore steps on a real store: staged entries are invisible until the final record
 * switches them in whole; a chunk out of order or a final record that does not match what was
 * staged changes nothing; this peer's own bookkeeping survives the switch.
 */
class StateRestoreTest {
  @TempDir Path dir;

  private static StateEntry entry(String key, String value) {
    return StateEntry.newBuilder().setKey(ByteString.copyFromUtf8(key)).setValue(ByteString.copyFromUtf8(value)).build();
  }

  private static RecordOutcome apply(StateStore store, Step step) throws Exception {
    try (WriteBatch wb = new WriteBatch()) {
      RecordOutcome o = step.run(wb);
      store.write(wb);
      return o;
    }
  }

  interface Step {
    RecordOutcome run(WriteBatch wb) throws Exception;
  }

  private static StateRestored finalRecord(String id, int chunks, List<StateEntry> entries) {
    MessageDigest sha = StateRestore.sha256();
    entries.forEach(e -> StateRestore.digest(sha, e.getKey().toByteArray(), e.getValue().toByteArray()));
    return StateRestored.newBuilder().setRestoreId(id).setChunks(chunks).setEntries(entries.size())
        .setSha256(ByteString.copyFrom(sha.digest())).build();
  }

  private static String get(StateStore store, String key) {
    byte[] v = store.get(key);
    return v == null ? null : new String(v, StandardCharsets.UTF_8);
  }

  @Test
  void stagesThenSwitchesWholeKeepingThisPeersBookkeeping() throws Exception {
    try (StateStore store = StateStore.open(dir)) {
      store.putApplied(new AppliedPosition(2, 10));
      apply(store, wb -> {
        wb.put(Keys.bytes("j/old"), Keys.bytes("old job"));
        wb.put(Keys.bytes("p/m1"), Keys.bytes("this cluster's peer"));
        wb.put(Keys.bytes(AppliedTerms.PREFIX + "2"), Keys.bytes("x"));
        return null;
      });
      List<StateEntry> first = List.of(entry("a/1", "alloc"), entry("j/web", "web job"));
      List<StateEntry> second = List.of(entry("n/node", "node"));
      assertEquals("", apply(store, wb -> StateRestore.chunk(store, wb,
          StateRestoreChunk.newBuilder().setRestoreId("r1").setSeq(0).addAllEntries(first).build())).getErrorCode());
      assertEquals("old job", get(store, "j/old"), "staged entries are not visible yet");
      assertNull(get(store, "j/web"));

      RecordOutcome skipped = apply(store, wb -> StateRestore.chunk(store, wb,
          StateRestoreChunk.newBuilder().setRestoreId("r1").setSeq(2).addAllEntries(second).build()));
      assertEquals("FAILED_PRECONDITION", skipped.getErrorCode());
      assertTrue(skipped.getErrorMessage().contains("expects chunk 1"), skipped.getErrorMessage());

      List<StateEntry> all = List.of(first.get(0), first.get(1), second.get(0));
      RecordOutcome early = apply(store, wb -> StateRestore.restored(store, wb, finalRecord("r1", 2, all)));
      assertEquals("FAILED_PRECONDITION", early.getErrorCode(), "not fully staged");
      assertEquals("old job", get(store, "j/old"));

      assertEquals("", apply(store, wb -> StateRestore.chunk(store, wb,
          StateRestoreChunk.newBuilder().setRestoreId("r1").setSeq(1).addAllEntries(second).build())).getErrorCode());
      RecordOutcome wrongSum = apply(store, wb -> StateRestore.restored(store, wb,
          finalRecord("r1", 2, List.of(first.get(0), first.get(1), entry("n/node", "other")))));
      assertEquals("FAILED_PRECONDITION", wrongSum.getErrorCode(), "the staged set must be what was sent");
      assertEquals("old job", get(store, "j/old"));

      assertEquals("", apply(store, wb -> StateRestore.restored(store, wb, finalRecord("r1", 2, all))).getErrorCode());
      assertNull(get(store, "j/old"), "the old state is gone");
      assertEquals("web job", get(store, "j/web"));
      assertEquals("alloc", get(store, "a/1"));
      assertEquals("node", get(store, "n/node"));
      assertEquals("this cluster's peer", get(store, "p/m1"));
      assertEquals("x", get(store, AppliedTerms.PREFIX + "2"));
      assertEquals(new AppliedPosition(2, 10), store.applied());
      assertNull(store.get(StateRestore.PROGRESS));
      int[] staged = {0};
      store.scan(StateRestore.STAGING, (k, v) -> staged[0]++);
      assertEquals(0, staged[0]);
    }
  }

  @Test
  void aNewRestoreClearsAnInterruptedOnesStaging() throws Exception {
    try (StateStore store = StateStore.open(dir)) {
      apply(store, wb -> StateRestore.chunk(store, wb, StateRestoreChunk.newBuilder().setRestoreId("r1").setSeq(0)
          .addEntries(entry("j/abandoned", "x")).build()));
      apply(store, wb -> StateRestore.chunk(store, wb, StateRestoreChunk.newBuilder().setRestoreId("r2").setSeq(0)
          .addEntries(entry("j/web", "web")).build()));
      RecordOutcome late = apply(store, wb -> StateRestore.chunk(store, wb, StateRestoreChunk.newBuilder().setRestoreId("r1")
          .setSeq(1).addEntries(entry("j/z", "z")).build()));
      assertEquals("FAILED_PRECONDITION", late.getErrorCode(), "the interrupted restore cannot go on");
      assertEquals("", apply(store, wb -> StateRestore.restored(store, wb,
          finalRecord("r2", 1, List.of(entry("j/web", "web"))))).getErrorCode());
      assertNull(store.get("j/abandoned"));
      assertArrayEquals(Keys.bytes("web"), store.get("j/web"));
    }
  }

  @Test
  void bookkeepingKeysAreNotRestorable() throws Exception {
    try (StateStore store = StateStore.open(dir)) {
      RecordOutcome o = apply(store, wb -> StateRestore.chunk(store, wb, StateRestoreChunk.newBuilder().setRestoreId("r")
          .setSeq(0).addEntries(entry(Keys.APPLIED, "x")).build()));
      assertEquals("INVALID_ARGUMENT", o.getErrorCode());
      assertNull(store.get(Keys.APPLIED));
    }
  }
}
