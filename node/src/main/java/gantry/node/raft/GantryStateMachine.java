package gantry.node.raft;

import gantry.node.events.EventLog;
import gantry.node.events.EventRecorder;
import gantry.node.state.Changes;
import gantry.node.state.ClusterState;
import gantry.node.store.AppliedPosition;
import gantry.node.store.Keys;
import gantry.node.store.StateStore;
import gantry.v1.BatchOutcome;
import gantry.v1.Record;
import gantry.v1.RecordBatch;
import gantry.v1.RecordOutcome;
import gantry.v1.StateQuery;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongConsumer;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.thirdparty.com.google.protobuf.UnsafeByteOperations;
import org.apache.ratis.util.LifeCycle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis state machine of a manager peer: each committed entry is a {@link RecordBatch};
 * its records are replayed into {@link ClusterState} and their effects written to RocksDB
 * in one batch together with the entry's term and index.
 *
 * <p>Life cycle (Ratis {@link LifeCycle}): NEW -> STARTING -> RUNNING on {@link #initialize};
 * RUNNING -> PAUSING -> PAUSED before a snapshot from the leader is published
 * ({@link #pause}); PAUSED -> STARTING -> RUNNING when it is loaded ({@link #reinitialize}).
 *
 * <p>Applying, snapshotting and reinitializing all run on Ratis's single state-machine
 * updater thread; reads ({@link #query}) run on RPC threads and share a lock with the
 * moments the store is swapped, so none reads a closed database.
 */
public final class GantryStateMachine extends BaseStateMachine {
  private static final Logger LOG = LoggerFactory.getLogger(GantryStateMachine.class);

  private final SnapshotDirectory snapshots = new SnapshotDirectory();
  private final ReadWriteLock swap = new ReentrantReadWriteLock();
  private volatile StateStore store;
  private volatile ClusterState state = new ClusterState();
  /**
   * The index the store already holds. Ratis replays the log from the latest snapshot, not
   * from here; entries up to this index are skipped, so none is applied twice.
   */
  private volatile long durableIndex = -1;
  /** Set when Raft truncated an entry this peer had already applied: its state is not trustworthy. */
  private volatile String diverged;
  /** The file beside the live store that records a divergence; RaftNode reads it before starting Raft. */
  private static final String DIVERGED_MARKER = "DIVERGED";
  private final AppliedTerms terms = new AppliedTerms();
  /** The snapshot taken on start at the store's position, whose range is checked against the log once. */
  private final StartCheckpoint startCheckpoint = new StartCheckpoint();
  private final java.util.List<java.util.function.Consumer<String>> divergenceListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final java.util.List<Runnable> restoreListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final java.util.List<Runnable> closeListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final StateQueries queries = new StateQueries(this::state, this::store);
  private final java.util.List<java.util.function.Consumer<Changes>> listeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final java.util.List<java.util.function.Consumer<Boolean>> leadershipListeners = new java.util.concurrent.CopyOnWriteArrayList<>();
  /**
   * Held whenever this side reads or writes the snapshot directory (loading, checkpointing) and
   * by {@link #pause}, which Ratis calls just before it publishes an installed snapshot by
   * replacing that whole directory: a restore never reads a directory being replaced.
   */
  private final java.util.concurrent.locks.ReentrantLock snapshotFiles = new java.util.concurrent.locks.ReentrantLock();
  /** The index of an installed snapshot Ratis was about to publish at the last pause, or -1. */
  private volatile long publishing = -1;
  /** How long a reload waits for Ratis to publish the snapshot announced at {@link #pause}. */
  private static final long PUBLISH_WAIT_MS = 30_000;
  /** Told how long each new entry took to apply, in nanoseconds (for {@code gantry_raft_apply_seconds}). */
  private final LongConsumer applyNanos;
  /** The requests of the entries applied lately (replicated), so a request appended twice applies once. */
  private final RequestIds requests = new RequestIds();
  /** The events of the entries applied here, for WatchEvents; fed below, after each entry is written. */
  private final EventLog events;

  public GantryStateMachine() {
    this(nanos -> {});
  }

  /** A state machine that reports the time of each entry it applies to {@code applyNanos}, on the apply thread. */
  public GantryStateMachine(LongConsumer applyNanos) {
    this(applyNanos, new EventLog(EventLog.DEFAULT_CAPACITY));
  }

  /** As {@link #GantryStateMachine(LongConsumer)}, recording the events of every applied entry in {@code events}. */
  public GantryStateMachine(LongConsumer applyNanos, EventLog events) {
    this.applyNanos = applyNanos;
    this.events = events;
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return snapshots;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
    super.initialize(server, groupId, raftStorage);
    snapshots.init(raftStorage);
    snapshotFiles.lock();
    try {
      getLifeCycle().startAndTransition(() -> {
        load();
        TermIndex at = startCheckpoint.take(snapshots, store, store.applied(), snapshots.getLatestSnapshot());
        if (at != null) setLastAppliedTermIndex(at);
      });
    } finally {
      snapshotFiles.unlock();
    }
  }

  /** Opens the store; if a newer snapshot was installed than the store holds, restores it first. */
  private void load() throws IOException {
    long started = System.nanoTime();
    snapshots.recoverInterruptedRestore();
    Path live = snapshots.liveDbDir();
    StateStore opened = StateStore.open(live);
    AppliedPosition applied = opened.applied();
    // Restore until the store holds at least the newest snapshot: Ratis may publish a newer one
    // (an install from the leader) while this runs. Telling Ratis a snapshot index the store does
    // not hold would skip every entry in between (chaos finding 2026-11-30-snapshot-install-loss).
    SnapshotInfo snap;
    while ((snap = snapshots.getLatestSnapshot()) != null && (applied == null || applied.index() < snap.getIndex())) {
      LOG.info("restoring state from snapshot {} (store was at {})", snap.getTermIndex(), applied);
      opened.close();
      TermIndex restored = snapshots.restoreLatestInto(live);
      opened = StateStore.open(live);
      applied = opened.applied();
      if (applied == null || applied.index() < restored.getIndex()) {
        opened.close();
        throw new IOException("restored snapshot " + restored + " but its store says " + applied);
      }
    }
    ClusterState loaded = ClusterState.load(opened);
    terms.clear();
    opened.scan(AppliedTerms.PREFIX, terms::load);
    requests.clear();
    opened.scan(RequestIds.PREFIX, requests::load);
    requests.loaded();
    swap.writeLock().lock();
    try {
      store = opened;
      state = loaded;
    } finally {
      swap.writeLock().unlock();
    }
    durableIndex = applied == null ? -1 : applied.index();
    // Entries the store holds are not replayed, so they make no events: say none before it are kept.
    events.restart(durableIndex, loaded);
    // Ratis restarts its applier at the snapshot and walks the log forward from there;
    // applyTransaction skips what the store already has (on a start, initialize takes a snapshot
    // at the store's position first: StartCheckpoint). The snapshot is the one checked against
    // the store above, never a newer one that arrived since: its entries would never be applied.
    setLastAppliedTermIndex(snap == null ? TermIndex.INITIAL_VALUE : snap.getTermIndex());
    LOG.info("state loaded in {} ms: {} jobs, store at {}, snapshot {}", (System.nanoTime() - started) / 1_000_000,
        loaded.jobCount(), applied, snap == null ? "none" : snap.getTermIndex());
    SnapshotInfo newer = snapshots.getLatestSnapshot();
    if (newer != null && newer.getIndex() > durableIndex) {
      LOG.info("snapshot {} arrived while loading: loading again", newer.getTermIndex());
      closeStore();
      load();
    }
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    long start = System.nanoTime();
    checkStartRange();
    LogEntryProto entry = trx.getLogEntry();
    if (entry.getIndex() <= durableIndex) {
      // Applied before a restart; its effects are in the store already. Unless the term differs:
      // then the log holds another entry at this index than the one applied here.
      String differs = terms.differs(entry.getTerm(), entry.getIndex());
      if (differs != null) diverge(differs);
      updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
      byte[] replayed = BatchOutcome.newBuilder().setIndex(entry.getIndex()).setReplayed(true).build().toByteArray();
      return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(replayed)));
    }
    RecordBatch batch;
    try {
      batch = RecordBatch.parseFrom(entry.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
    } catch (InvalidProtocolBufferException e) {
      // Every peer sees the same bytes: skipping a corrupt entry keeps the peers equal.
      LOG.error("entry {} is not a record batch; applied as empty", entry.getIndex(), e);
      batch = RecordBatch.getDefaultInstance();
    }
    // A request Ratis appended twice (a client's retry reaching a leader whose retry cache never
    // saw the first copy: it got the state by snapshot install) is applied once; the copy is empty.
    var logged = entry.getStateMachineLogEntry();
    // An entry with no client (none is written so; tests may) has no identity to compare.
    String request = logged.getClientId().isEmpty() ? null : RequestIds.key(logged.getClientId().toByteArray(), logged.getCallId());
    boolean repeated = request != null && store.get(request) != null;
    if (repeated) {
      LOG.warn("entry {} repeats request {}, applied before: applied as empty", entry.getIndex(), request);
      batch = RecordBatch.getDefaultInstance();
    }
    BatchOutcome.Builder outcome = BatchOutcome.newBuilder().setIndex(entry.getIndex()).setReplayed(repeated);
    Changes changes = new Changes();
    boolean replaced = false;
    EventRecorder out;
    try (WriteBatch wb = new WriteBatch()) {
      // Replay writes every change through these Mutations: the seam where the entry's events are made.
      out = events.recorder(entry.getIndex(), new BatchMutations(wb));
      for (Record r : batch.getRecordsList()) {
        if (batch.getRecordsCount() == 1 && r.hasStateRestoreChunk()) {
          outcome.addOutcomes(StateRestore.chunk(store, wb, r.getStateRestoreChunk()));
          continue;
        }
        if (batch.getRecordsCount() == 1 && r.hasStateRestored()) {
          RecordOutcome o = StateRestore.restored(store, wb, r.getStateRestored());
          replaced = o.getErrorCode().isEmpty();
          outcome.addOutcomes(o);
          continue;
        }
        out.begin(r);
        outcome.addOutcomes(state.replay(r, entry.getIndex(), out, changes));
      }
      if (terms.startsTerm(entry.getTerm(), entry.getIndex())) {
        wb.put(Keys.bytes(AppliedTerms.key(entry.getTerm())), AppliedTerms.encode(entry.getIndex()));
      }
      if (request != null && !repeated) {
        wb.put(Keys.bytes(request), RequestIds.encode(entry.getIndex()));
        for (String old : requests.applied(request, entry.getIndex())) wb.delete(Keys.bytes(old));
      }
      wb.put(Keys.bytes(Keys.APPLIED), new AppliedPosition(entry.getTerm(), entry.getIndex()).encode());
      store.write(wb);
    } catch (RocksDBException e) {
      throw new IllegalStateException("apply " + entry.getIndex(), e);
    }
    updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
    if (replaced) {
      stateRestored(entry.getIndex());
    } else {
      events.append(out, state);
    }
    if (!changes.isEmpty()) {
      for (var l : listeners) {
        try {
          l.accept(changes);
        } catch (RuntimeException e) {
          LOG.warn("apply listener failed: {}", e.toString());
        }
      }
    }
    // Entries skipped above (already in the store) are not timed: they cost nothing to apply.
    applyNanos.accept(System.nanoTime() - start);
    return CompletableFuture.completedFuture(
        Message.valueOf(UnsafeByteOperations.unsafeWrap(outcome.build().toByteArray())));
  }

  /**
   * A snapshot restore was just written: the state object is rebuilt from the store, watchers of
   * events are told to start again (nothing before this index describes the new state), and the
   * listeners (the leader's duties) reopen on it.
   */
  private void stateRestored(long index) {
    ClusterState loaded = ClusterState.load(store);
    swap.writeLock().lock();
    try {
      state = loaded;
    } finally {
      swap.writeLock().unlock();
    }
    events.restart(index, loaded);
    LOG.info("state restored from a snapshot at index {}: {} jobs", index, loaded.jobCount());
    for (Runnable l : restoreListeners) {
      try {
        l.run();
      } catch (RuntimeException e) {
        LOG.warn("restore listener failed: {}", e.toString());
      }
    }
  }

  /** Called on the apply thread after a snapshot restore replaced the state. */
  public void onStateRestored(Runnable listener) {
    restoreListeners.add(listener);
  }

  /** The cluster state at one applied position, read from one RocksDB snapshot (a backup). */
  public record Export(AppliedPosition applied, java.util.List<gantry.v1.StateEntry> entries) {}

  /** Reads every portable key (see {@link StateRestore#portable}) of this peer's store at one position. */
  public Export export() {
    swap.readLock().lock();
    try {
      checkNotDiverged();
      java.util.List<gantry.v1.StateEntry> entries = new java.util.ArrayList<>();
      AppliedPosition[] applied = {AppliedPosition.NONE};
      byte[] appliedKey = Keys.bytes(Keys.APPLIED);
      store().readConsistent((k, v) -> {
        if (java.util.Arrays.equals(k, appliedKey)) {
          applied[0] = AppliedPosition.decode(v);
        } else if (StateRestore.portable(new String(k, java.nio.charset.StandardCharsets.UTF_8))) {
          entries.add(gantry.v1.StateEntry.newBuilder().setKey(com.google.protobuf.ByteString.copyFrom(k))
              .setValue(com.google.protobuf.ByteString.copyFrom(v)).build());
        }
      });
      return new Export(applied[0], entries);
    } finally {
      swap.readLock().unlock();
    }
  }

  @Override
  public CompletableFuture<Message> query(Message request) {
    swap.readLock().lock();
    try {
      checkNotDiverged();
      StateQuery q = StateQuery.parseFrom(request.getContent().asReadOnlyByteBuffer());
      byte[] answer = queries.answer(q).toByteArray();
      return CompletableFuture.completedFuture(Message.valueOf(UnsafeByteOperations.unsafeWrap(answer)));
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    } finally {
      swap.readLock().unlock();
    }
  }

  /** Answers a query from this peer's state without a read index: possibly stale. */
  public com.google.protobuf.Message queryLocal(StateQuery q) {
    swap.readLock().lock();
    try {
      checkNotDiverged();
      return queries.answer(q);
    } finally {
      swap.readLock().unlock();
    }
  }

  /**
   * Called with true when this peer leads and has applied its term's first entry (Ratis'
   * leader-ready notification), with false when Raft names another peer or none.
   */
  public void onLeadership(java.util.function.Consumer<Boolean> listener) {
    leadershipListeners.add(listener);
  }

  @Override
  public void notifyLeaderReady() {
    leadershipListeners.forEach(l -> l.accept(true));
  }

  @Override
  public void notifyLeaderChanged(org.apache.ratis.protocol.RaftGroupMemberId self, org.apache.ratis.protocol.RaftPeerId newLeader) {
    if (!self.getPeerId().equals(newLeader)) leadershipListeners.forEach(l -> l.accept(false));
  }

  /** Called on the apply thread after each entry that touched evaluations or node assignments. */
  public void onApplied(java.util.function.Consumer<Changes> listener) {
    listeners.add(listener);
  }

  /**
   * Ratis truncates the log from {@code index} on. An entry at or below what this peer applied
   * was, by Raft's rules, committed and can never be truncated; if it is, this peer applied an
   * entry that the cluster did not commit. From then on its reads fail rather than serve state
   * that differs from the other peers'.
   */
  @Override
  public CompletableFuture<Void> truncate(long index) {
    long applied = Math.max(durableIndex, appliedIndex());
    if (index <= applied) {
      diverge("this peer applied log entry " + index + " (applied up to " + applied + ") and Raft then truncated it");
    }
    return CompletableFuture.completedFuture(null);
  }

  /** Ratis applied an entry that is not this state machine's (a configuration or a leader's first entry). */
  @Override
  public void notifyTermIndexUpdated(long term, long index) {
    checkStartRange();
    super.notifyTermIndexUpdated(term, index);
  }

  /** The first entry Ratis applies after a start: its log is open, the start snapshot's range is checked against it. */
  private void checkStartRange() {
    if (!startCheckpoint.pending()) return;
    String differs = startCheckpoint.check(getServer().join(), getGroupId(), terms);
    if (differs != null) diverge(differs);
  }

  /**
   * This peer's state differs from the cluster's: it is recorded (a marker file, kept across
   * restarts), reads are refused, and the listeners (the Raft node) take the peer out of the
   * group: no vote, no leadership, no writes, until an operator repairs it.
   */
  private void diverge(String what) {
    if (diverged != null) return;
    diverged = what + ": its state differs from the cluster's; stop it, delete its data directory and start it"
        + " again to copy the state from the others";
    LOG.error("DIVERGED: {}", diverged);
    events.close(diverged);
    try {
      Files.writeString(divergedMarker(), diverged + "\n");
    } catch (IOException e) {
      LOG.error("could not record the divergence in {}", divergedMarker(), e);
    }
    divergenceListeners.forEach(l -> l.accept(diverged));
  }

  /** Called once if this peer finds its state diverged from the cluster's. */
  public void onDivergence(java.util.function.Consumer<String> listener) {
    divergenceListeners.add(listener);
  }

  /** Why this peer's state is known to differ from the cluster's, or null. */
  public String divergedReason() {
    return diverged;
  }

  /** The divergence recorded in a peer's data directory by an earlier run, or null. */
  static String recordedDivergence(Path smDir) throws IOException {
    Path marker = smDir.resolve(DIVERGED_MARKER);
    return Files.exists(marker) ? Files.readString(marker).strip() : null;
  }

  /** Starts this state machine knowing it diverged (the Raft server is then never started). */
  void startDiverged(String reason) {
    diverged = reason;
    events.close(reason);
  }

  /** A file beside the live store; while it exists the peer refuses reads, across restarts too. */
  private Path divergedMarker() {
    return snapshots.liveDbDir().resolveSibling(DIVERGED_MARKER);
  }

  /** Throws if this peer's state is known to differ from the cluster's. */
  void checkNotDiverged() {
    String d = diverged;
    if (d != null) throw new IllegalStateException(d);
  }

  @Override
  public long takeSnapshot() throws IOException {
    snapshotFiles.lock();
    try {
      TermIndex ti = getLastAppliedTermIndex();
      // Not while Ratis is about to replace the snapshot directory with one from the leader
      // (a negative answer: Ratis takes no snapshot now and asks again later).
      if (ti == null || ti.getIndex() < 0 || publishing >= 0) return -1;
      // The last entries may have been configuration entries that wrote nothing: pin the
      // position into the store so the checkpoint says exactly what it covers.
      store.putApplied(new AppliedPosition(ti.getTerm(), ti.getIndex()));
      durableIndex = Math.max(durableIndex, ti.getIndex());
      snapshots.create(store, ti);
      snapshots.cleanupOldSnapshots(null);
      LOG.info("snapshot taken at {}", ti);
      return ti.getIndex();
    } finally {
      snapshotFiles.unlock();
    }
  }

  /**
   * Ratis calls this once every chunk of a snapshot from the leader has been received, right
   * before it publishes the snapshot (replacing the snapshot directory) and purges its log
   * behind it. Waits for a load or checkpoint in progress to finish, then makes the received
   * files durable: Ratis writes them without fsync, and a power loss after its log purge would
   * otherwise leave neither the snapshot nor the entries it covers (chaos finding
   * 2026-11-30-campaign-30m).
   */
  @Override
  public void pause() {
    snapshotFiles.lock();
    try {
      if (getLifeCycleState() == LifeCycle.State.RUNNING) {
        getLifeCycle().transition(LifeCycle.State.PAUSING);
        getLifeCycle().transition(LifeCycle.State.PAUSED);
      }
      publishing = Math.max(publishing, snapshots.syncReceived());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot make the snapshot received from the leader durable", e);
    } finally {
      snapshotFiles.unlock();
    }
  }

  @Override
  public void reinitialize() throws IOException {
    snapshotFiles.lock();
    try {
      LOG.info("loading the snapshot installed from the leader");
      getLifeCycle().transition(LifeCycle.State.STARTING);
      awaitPublished();
      snapshots.syncLatest();
      closeStore();
      load();
      getLifeCycle().transition(LifeCycle.State.RUNNING);
    } finally {
      snapshotFiles.unlock();
    }
  }

  /** The index of the received snapshot the next reload waits for (-1: none); for tests. */
  long awaitedSnapshotIndex() {
    return publishing;
  }

  /**
   * A reload requested for one install may run after Ratis paused this state machine for the
   * next one but before it published it: wait until the snapshot seen at that pause is the
   * newest, so the load reads a directory Ratis is done with.
   */
  private void awaitPublished() throws IOException {
    long expected = publishing;
    long deadline = System.nanoTime() + PUBLISH_WAIT_MS * 1_000_000;
    SnapshotInfo latest;
    while (((latest = snapshots.getLatestSnapshot()) == null || latest.getIndex() < expected) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new java.io.InterruptedIOException("interrupted while waiting for snapshot " + expected + " to be published");
      }
    }
    if (latest == null || latest.getIndex() < expected) {
      LOG.warn("snapshot {} received from the leader was not published within {} ms; loading {}", expected, PUBLISH_WAIT_MS,
          latest == null ? "none" : latest.getTermIndex());
    }
    publishing = -1;
  }

  /**
   * Ratis closes the state machine when it closes this peer's Raft division: on shutdown, and
   * also on its own when its log worker fails ({@link RaftNode} tells the two apart).
   */
  @Override
  public void close() throws IOException {
    closeStore();
    super.close();
    closeListeners.forEach(Runnable::run);
  }

  /** Called after every {@link #close()}. */
  void onClose(Runnable listener) {
    closeListeners.add(listener);
  }

  private void closeStore() {
    swap.writeLock().lock();
    try {
      if (store != null) store.close();
      store = null;
    } finally {
      swap.writeLock().unlock();
    }
  }

  public ClusterState state() {
    return state;
  }

  /** The events of the entries this peer applied (WatchEvents, /v1/event/stream). */
  public EventLog events() {
    return events;
  }

  StateStore store() {
    StateStore s = store;
    if (s == null) throw new IllegalStateException("state store is closed");
    return s;
  }

  /** Peers that announced their addresses, from this peer's applied state. */
  public java.util.Map<String, gantry.v1.Peer> announcedPeers() {
    return state.announcedPeers();
  }

  /** The newest applied Raft index on this peer. */
  public long appliedIndex() {
    TermIndex ti = getLastAppliedTermIndex();
    return ti == null ? -1 : ti.getIndex();
  }
}
