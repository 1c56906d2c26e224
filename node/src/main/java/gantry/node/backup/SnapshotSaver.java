package gantry.node.backup;

import gantry.node.raft.GantryStateMachine;
import gantry.node.raft.RaftNode;
import gantry.node.store.Keys;
import gantry.v1.ListJobsRequest;
import gantry.v1.SnapshotHeader;
import gantry.v1.StateEntry;
import gantry.v1.StateQuery;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Saves the replicated state into a snapshot file's bytes: a linearizable read index first (this
 * peer then holds every write acknowledged before the call), then one consistent read of the
 * store, which also gives the exact Raft index and term the file holds.
 */
public final class SnapshotSaver {
  private final RaftNode raft;
  private final Clock clock;

  public SnapshotSaver(RaftNode raft, Clock clock) {
    this.raft = raft;
    this.clock = clock;
  }

  /** The bytes of a snapshot file of the state as of now. */
  public CompletableFuture<byte[]> save() {
    StateQuery barrier = StateQuery.newBuilder().setListJobs(ListJobsRequest.newBuilder().setPrefix("\u0000")).build();
    return raft.read(barrier).thenApplyAsync(ignored -> {
      GantryStateMachine.Export export = raft.stateMachine().export();
      List<StateEntry> entries = export.entries();
      SnapshotHeader header = SnapshotHeader.newBuilder()
          .setRaftIndex(export.applied().index())
          .setRaftTerm(export.applied().term())
          .setSavedBy(raft.id())
          .addAllPeers(raft.peers().stream().map(p -> p.getId().toString()).sorted().toList())
          .setCreatedMs(clock.millis())
          .setJobs(count(entries, Keys.JOB))
          .setAllocations(count(entries, Keys.ALLOC))
          .setNodes(count(entries, Keys.NODE))
          .setDeployments(count(entries, Keys.DEPLOYMENT))
          .build();
      return SnapshotFile.write(header, entries);
    }, Thread::startVirtualThread);
  }

  static long count(List<StateEntry> entries, String prefix) {
    return entries.stream().filter(e -> e.getKey().toStringUtf8().startsWith(prefix)).count();
  }
}
