package gantry.node.raft;

import gantry.node.store.AppliedPosition;
import gantry.node.store.StateStore;
import java.io.IOException;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.LogEntryHeader;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A snapshot taken when a peer starts, at the position its store already holds.
 *
 * <p>After a crash the store is ahead of the newest snapshot by up to
 * {@code snapshot_every_entries} entries. Ratis restarts its applier at the newest snapshot, so
 * every one of those entries would be read back from the log and skipped by
 * {@code applyTransaction} before the peer is ready: seconds of a cold restart on two cores
 * (README, state benchmark). A checkpoint at the store's position is the snapshot Ratis
 * would have asked for just before the crash: every entry it holds was committed, so it is a
 * snapshot like any other, and Ratis starts after it.
 *
 * <p>The walk also checked each skipped entry's term against the term this peer applied at that
 * index ({@link AppliedTerms}). That check is kept: {@link #check} compares the terms the log
 * holds over the range the checkpoint covered, once, after Ratis opened its log.
 */
final class StartCheckpoint {
  private static final Logger LOG = LoggerFactory.getLogger(StartCheckpoint.class);

  /** The applied range (from, to] covered by the checkpoint and not yet checked against the log. */
  private volatile long from = -1;
  private volatile long to = -1;

  /**
   * Checkpoints {@code store} at {@code applied} when that is after {@code newest}.
   *
   * @return the new snapshot's position, for Ratis to restart its applier after; null when none
   *     was taken (the store holds nothing after the newest snapshot, or the checkpoint failed:
   *     then Ratis walks the log as before)
   */
  TermIndex take(SnapshotDirectory snapshots, StateStore store, AppliedPosition applied, SnapshotInfo newest) {
    long newestIndex = newest == null ? -1 : newest.getIndex();
    if (applied == null || applied.index() <= newestIndex) return null;
    TermIndex at = TermIndex.valueOf(applied.term(), applied.index());
    long started = System.nanoTime();
    try {
      snapshots.create(store, at);
      snapshots.cleanupOldSnapshots(null);
    } catch (IOException e) {
      LOG.warn("no snapshot at the store's position {}: Ratis walks the log from {}", at, newestIndex, e);
      return null;
    }
    from = newestIndex;
    to = applied.index();
    LOG.info("snapshot taken at the store's position {} on start in {} ms (newest was {})", at,
        (System.nanoTime() - started) / 1_000_000, newestIndex);
    return at;
  }

  /** Whether a range is still to be checked against the log. */
  boolean pending() {
    return to > from;
  }

  /** {@link #check(LogEntryHeader[], AppliedTerms)} against the log of {@code server}'s division of {@code group}. */
  String check(RaftServer server, RaftGroupId group, AppliedTerms terms) {
    LogEntryHeader[] inLog;
    try {
      RaftLog log = server.getDivision(group).getRaftLog();
      long lo = Math.max(from + 1, log.getStartIndex());
      inLog = lo < 0 || lo > to ? LogEntryHeader.EMPTY_ARRAY : log.getEntries(lo, to + 1);
    } catch (IOException | IndexOutOfBoundsException e) {
      LOG.warn("cannot read the log to check the start snapshot's range against", e);
      from = to = -1;
      return null;
    }
    return check(inLog, terms);
  }

  /**
   * Compares, once, the term of every state-machine entry the log still holds in the covered
   * range with the term this peer applied at that index (Ratis' own entries, such as a new
   * leader's first, are applied by Ratis and not recorded in {@code terms}).
   *
   * @param inLog the headers of the entries the log holds in the range
   * @return what differs, for {@code diverge}, or null when nothing does
   */
  String check(LogEntryHeader[] inLog, AppliedTerms terms) {
    long lo = from;
    long hi = to;
    from = to = -1;
    for (LogEntryHeader h : inLog) {
      if (h == null || h.getIndex() <= lo || h.getIndex() > hi
          || h.getLogEntryBodyCase() != LogEntryProto.LogEntryBodyCase.STATEMACHINELOGENTRY) continue;
      String differs = terms.differs(h.getTerm(), h.getIndex());
      if (differs != null) return differs;
    }
    return null;
  }
}
