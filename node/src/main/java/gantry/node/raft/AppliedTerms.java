package gantry.node.raft;

import java.nio.ByteBuffer;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which Raft term each applied entry had, kept compactly as the first applied index of every
 * term (terms change rarely). On a restart Ratis replays entries the store already holds and
 * they are skipped; an entry whose term differs from the one this peer applied at that index
 * means the log changed under applied state, which Raft forbids: the peer has diverged.
 *
 * <p>Stored in the same RocksDB batch as the entry's effects, under {@value #PREFIX}{term}.
 */
final class AppliedTerms {
  static final String PREFIX = "m/term/";

  /** first applied index -> its term */
  private final TreeMap<Long, Long> starts = new TreeMap<>();

  static String key(long term) {
    return PREFIX + gantry.node.store.Keys.sortable(term);
  }

  static byte[] encode(long index) {
    return ByteBuffer.allocate(8).putLong(index).array();
  }

  /** Loads one stored start. */
  void load(String key, byte[] value) {
    starts.put(ByteBuffer.wrap(value).getLong(), Long.parseLong(key.substring(PREFIX.length())));
  }

  /** Whether applying an entry of {@code term} at {@code index} starts a new term (to be stored). */
  boolean startsTerm(long term, long index) {
    Map.Entry<Long, Long> last = starts.lastEntry();
    if (last != null && last.getValue() == term) return false;
    starts.put(index, term);
    return true;
  }

  /** The term this peer applied at {@code index}, or -1 when unknown (before the first start it kept). */
  long termAt(long index) {
    Map.Entry<Long, Long> e = starts.floorEntry(index);
    return e == null ? -1 : e.getValue();
  }

  /**
   * What differs when the log holds an entry of {@code term} at {@code index}, an index this peer
   * applied: null when the terms agree or the applied one is unknown.
   */
  String differs(long term, long index) {
    long applied = termAt(index);
    if (applied < 0 || applied == term) return null;
    return "log entry " + index + " has term " + term + " but this peer applied an entry of term " + applied + " at that index";
  }

  void clear() {
    starts.clear();
  }
}
