package gantry.node.raft;

import gantry.node.store.Keys;
import gantry.node.store.StateStore;
import gantry.v1.RecordOutcome;
import gantry.v1.RestoreProgress;
import gantry.v1.StateRestoreChunk;
import gantry.v1.StateRestored;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

/**
 * Applies the records of a snapshot restore to the store, in the entry's write batch (so a crash
 * keeps or loses each step whole, with the entry's applied position).
 *
 * <p>Steps: {@link StateRestoreChunk} seq 0 clears any staging and starts a restore; each chunk
 * stages its entries under {@link #STAGING} (no read looks there) and advances
 * {@link #PROGRESS}; {@link StateRestored} checks that the staged set is exactly the one the
 * leader sent (chunks, count, SHA-256), deletes every portable key, moves the staged entries in
 * and clears the staging. A chunk out of order (a restore interrupted by a leader change, then
 * another one) is refused, and so is the final record then: the user runs the restore again.
 *
 * <p>Portable keys are the cluster's objects (jobs and their versions, nodes, allocations,
 * evaluations, deployments, ACL policies and tokens, the ACL bootstrap mark). This peer's Raft
 * bookkeeping (applied position, terms, request ids) and the peers' announced addresses stay:
 * they describe this cluster, not the one the snapshot came from.
 */
public final class StateRestore {
  /** Where staged entries wait until the final record switches them in. */
  static final String STAGING = "restore/";
  /** The restore being staged (a {@link RestoreProgress}). */
  static final String PROGRESS = "m/restore";

  private StateRestore() {}

  /** Whether a key is part of a backup: the cluster's objects, not this peer's bookkeeping. */
  public static boolean portable(String key) {
    return !key.equals(Keys.APPLIED) && !key.equals(PROGRESS) && !key.startsWith(AppliedTerms.PREFIX)
        && !key.startsWith(RequestIds.PREFIX) && !key.startsWith(Keys.PEER) && !key.startsWith(STAGING);
  }

  /** Adds one entry to a digest of entries (the one {@link StateRestored#getSha256()} carries). */
  public static void digest(MessageDigest sha, byte[] key, byte[] value) {
    sha.update(ByteBuffer.allocate(4).putInt(key.length).array());
    sha.update(key);
    sha.update(ByteBuffer.allocate(4).putInt(value.length).array());
    sha.update(value);
  }

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static RecordOutcome chunk(StateStore store, WriteBatch wb, StateRestoreChunk c) throws RocksDBException {
    RestoreProgress progress;
    if (c.getSeq() == 0) {
      wb.deleteRange(Keys.bytes(STAGING), Keys.bytes(STAGING.substring(0, STAGING.length() - 1) + "0"));
      progress = RestoreProgress.newBuilder().setRestoreId(c.getRestoreId()).build();
    } else {
      progress = progress(store);
      if (progress == null || !progress.getRestoreId().equals(c.getRestoreId()) || progress.getNextSeq() != c.getSeq()) {
        return failed("FAILED_PRECONDITION", "restore " + c.getRestoreId() + " was interrupted (chunk " + c.getSeq()
            + " arrived, " + (progress == null ? "no restore staged" : "restore " + progress.getRestoreId() + " expects chunk "
            + progress.getNextSeq()) + "); run the restore again");
      }
    }
    for (var e : c.getEntriesList()) {
      String key = e.getKey().toStringUtf8();
      if (!portable(key)) return failed("INVALID_ARGUMENT", "entry key \"" + key + "\" is not cluster state");
    }
    for (var e : c.getEntriesList()) {
      wb.put(concat(STAGING, e.getKey().toByteArray()), e.getValue().toByteArray());
    }
    wb.put(Keys.bytes(PROGRESS), progress.toBuilder().setNextSeq(c.getSeq() + 1)
        .setEntries(progress.getEntries() + c.getEntriesCount()).build().toByteArray());
    return RecordOutcome.getDefaultInstance();
  }

  static RecordOutcome restored(StateStore store, WriteBatch wb, StateRestored r) throws RocksDBException {
    RestoreProgress progress = progress(store);
    if (progress == null || !progress.getRestoreId().equals(r.getRestoreId()) || progress.getNextSeq() != r.getChunks()) {
      return failed("FAILED_PRECONDITION", "restore " + r.getRestoreId() + " is not fully staged (" + (progress == null
          ? "nothing staged" : "staged: restore " + progress.getRestoreId() + ", " + progress.getNextSeq() + " chunks")
          + ", expected " + r.getChunks() + " chunks); run the restore again");
    }
    MessageDigest sha = sha256();
    List<byte[][]> staged = new ArrayList<>();
    store.scan(STAGING, (k, v) -> {
      byte[] key = k.substring(STAGING.length()).getBytes(StandardCharsets.UTF_8);
      digest(sha, key, v);
      staged.add(new byte[][] {key, v});
    });
    byte[] got = sha.digest();
    if (staged.size() != r.getEntries() || !MessageDigest.isEqual(got, r.getSha256().toByteArray())) {
      return failed("FAILED_PRECONDITION", "restore " + r.getRestoreId() + ": the staged state (" + staged.size()
          + " entries, sha256 " + HexFormat.of().formatHex(got) + ") is not what was sent (" + r.getEntries() + " entries, sha256 "
          + HexFormat.of().formatHex(r.getSha256().toByteArray()) + "); run the restore again");
    }
    List<String> old = new ArrayList<>();
    store.scan("", (k, v) -> {
      if (portable(k)) old.add(k);
    });
    for (String k : old) wb.delete(Keys.bytes(k));
    for (byte[][] e : staged) {
      wb.put(e[0], e[1]);
      wb.delete(concat(STAGING, e[0]));
    }
    wb.delete(Keys.bytes(PROGRESS));
    return RecordOutcome.getDefaultInstance();
  }

  private static RestoreProgress progress(StateStore store) {
    byte[] v = store.get(PROGRESS);
    if (v == null) return null;
    try {
      return RestoreProgress.parseFrom(v);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("unreadable " + PROGRESS, e);
    }
  }

  private static byte[] concat(String prefix, byte[] key) {
    byte[] p = Keys.bytes(prefix);
    byte[] out = new byte[p.length + key.length];
    System.arraycopy(p, 0, out, 0, p.length);
    System.arraycopy(key, 0, out, p.length, key.length);
    return out;
  }

  private static RecordOutcome failed(String code, String message) {
    return RecordOutcome.newBuilder().setErrorCode(code).setErrorMessage(message).build();
  }
}
