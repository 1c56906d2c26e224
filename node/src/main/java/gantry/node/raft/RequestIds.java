package gantry.node.raft;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;

/**
 * The requests (Ratis client id and call id) of the entries applied lately, kept in the replicated
 * store so that a request appended to the log twice is applied once (chaos finding
 * 2026-12-01-retry-after-install). Ratis' own retry cache is in each server's memory and not in a
 * snapshot: a peer that got the state by snapshot install and then leads does not know a request
 * its client retries, and appends it again. Here the pair is written with the entry's own effects,
 * so a snapshot carries it, and every peer drops the same pairs at the same index (those applied
 * more than {@link #KEEP} entries ago): the decision to skip is the same on every peer.
 *
 * <p>Keys {@code c/<client id hex>/<call id>}, values the applied index (8 bytes). Used on the
 * apply thread only (and at load).
 */
final class RequestIds {
  static final String PREFIX = "c/";
  /** Entries a retry may come after its first copy; at 1,000 entries/s, 100 s. */
  static final long KEEP = 100_000;

  private record Seen(long index, String key) {}

  private final ArrayDeque<Seen> byIndex = new ArrayDeque<>();
  private final long keep;

  RequestIds() {
    this(KEEP);
  }

  RequestIds(long keep) {
    this.keep = keep;
  }

  static String key(byte[] clientId, long callId) {
    return PREFIX + HexFormat.of().formatHex(clientId) + "/" + callId;
  }

  static byte[] encode(long index) {
    return ByteBuffer.allocate(8).putLong(index).array();
  }

  /** Forgets everything: the store is about to be loaded again. */
  void clear() {
    byIndex.clear();
  }

  /** One stored pair, as {@code StateStore.scan} visits them at load (in any order; sorted by {@link #loaded()}). */
  void load(String key, byte[] value) {
    byIndex.add(new Seen(ByteBuffer.wrap(value).getLong(), key));
  }

  /** Orders what {@link #load} read by applied index. */
  void loaded() {
    List<Seen> all = new ArrayList<>(byIndex);
    all.sort(Comparator.comparingLong(Seen::index));
    byIndex.clear();
    byIndex.addAll(all);
  }

  /**
   * Records {@code key} as applied at {@code index} and returns the keys that fall out of the
   * window now, for the caller to write (put) and delete in the entry's batch.
   */
  List<String> applied(String key, long index) {
    byIndex.add(new Seen(index, key));
    List<String> expired = new ArrayList<>();
    while (!byIndex.isEmpty() && byIndex.peekFirst().index() <= index - keep) expired.add(byIndex.pollFirst().key());
    return expired;
  }

  int size() {
    return byIndex.size();
  }
}
