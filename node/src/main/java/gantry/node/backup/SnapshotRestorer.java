package gantry.node.backup;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import gantry.node.control.ControlException;
import gantry.node.raft.Proposer;
import gantry.node.raft.RaftNode;
import gantry.node.raft.StateRestore;
import gantry.node.store.Keys;
import gantry.v1.ListJobsRequest;
import gantry.v1.ListJobsResponse;
import gantry.v1.Record;
import gantry.v1.RecordOutcome;
import gantry.v1.RestoreSnapshotResponse;
import gantry.v1.StateEntry;
import gantry.v1.StateQuery;
import gantry.v1.StateRestoreChunk;
import gantry.v1.StateRestored;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Restores a snapshot file through Raft: the file is checked again here (a client is not
 * trusted to have done it), then its entries are proposed in chunks, each alone in its entry,
 * staged where no read looks, and switched in by one final record (see
 * {@code raft/StateRestore}). Every peer applies the same records, so every peer gets the
 * same state; a restore cut short leaves only staging, which the next restore clears.
 *
 * <p>Refused with FAILED_PRECONDITION when the cluster has jobs, unless forced: a restore
 * replaces the whole state (ACL policies and tokens included).
 */
public final class SnapshotRestorer {
  /** Entry bytes per chunk: well under the proposer's batch bound and gRPC's message limit. */
  static final int CHUNK_BYTES = 512 * 1024;

  private final RaftNode raft;

  public SnapshotRestorer(RaftNode raft) {
    this.raft = raft;
  }

  /** Checks {@code file} and replaces the cluster's state with it. */
  public CompletableFuture<RestoreSnapshotResponse> restore(byte[] file, boolean force) {
    SnapshotFile.Contents contents;
    try {
      contents = SnapshotFile.parse(file);
    } catch (SnapshotFileException e) {
      throw new ControlException(ControlException.Code.INVALID_ARGUMENT, "snapshot file: " + e.getMessage());
    }
    for (StateEntry e : contents.entries()) {
      if (!StateRestore.portable(e.getKey().toStringUtf8())) {
        throw new ControlException(ControlException.Code.INVALID_ARGUMENT,
            "snapshot file: entry key \"" + e.getKey().toStringUtf8() + "\" is not cluster state");
      }
    }
    if (raft.divergedReason() != null) {
      throw new ControlException(ControlException.Code.FAILED_PRECONDITION, "peer " + raft.id() + " has diverged");
    }
    StateQuery jobs = StateQuery.newBuilder().setListJobs(ListJobsRequest.getDefaultInstance()).build();
    return raft.read(jobs).thenApplyAsync(bytes -> {
      ListJobsResponse existing;
      try {
        existing = ListJobsResponse.parseFrom(bytes.asReadOnlyByteBuffer());
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException(e);
      }
      if (existing.getJobsCount() > 0 && !force) {
        throw new ControlException(ControlException.Code.FAILED_PRECONDITION, "the cluster already has "
            + existing.getJobsCount() + " job(s): restore into a fresh cluster, or pass --force to replace its whole state");
      }
      return apply(contents);
    }, Thread::startVirtualThread);
  }

  private RestoreSnapshotResponse apply(SnapshotFile.Contents contents) {
    String id = UUID.randomUUID().toString();
    MessageDigest sha = StateRestore.sha256();
    List<List<StateEntry>> chunks = chunks(contents.entries());
    for (int seq = 0; seq < chunks.size(); seq++) {
      for (StateEntry e : chunks.get(seq)) StateRestore.digest(sha, e.getKey().toByteArray(), e.getValue().toByteArray());
      propose(Record.newBuilder().setStateRestoreChunk(StateRestoreChunk.newBuilder()
          .setRestoreId(id).setSeq(seq).addAllEntries(chunks.get(seq))).build());
    }
    Proposer.Proposal done = propose(Record.newBuilder().setStateRestored(StateRestored.newBuilder()
        .setRestoreId(id).setChunks(chunks.size()).setEntries(contents.entries().size())
        .setSha256(ByteString.copyFrom(sha.digest())).setSourceIndex(contents.header().getRaftIndex())).build());
    return RestoreSnapshotResponse.newBuilder()
        .setIndex(done.index())
        .setEntries(contents.entries().size())
        .setJobs(SnapshotSaver.count(contents.entries(), Keys.JOB))
        .setAllocations(SnapshotSaver.count(contents.entries(), Keys.ALLOC))
        .setSha256(contents.sha256())
        .setSourceIndex(contents.header().getRaftIndex())
        .build();
  }

  /** At least one chunk (an empty state is restored too); entries in order, each chunk under {@link #CHUNK_BYTES}. */
  static List<List<StateEntry>> chunks(List<StateEntry> entries) {
    List<List<StateEntry>> out = new ArrayList<>();
    List<StateEntry> current = new ArrayList<>();
    int bytes = 0;
    for (StateEntry e : entries) {
      int size = e.getSerializedSize() + 8;
      if (!current.isEmpty() && bytes + size > CHUNK_BYTES) {
        out.add(current);
        current = new ArrayList<>();
        bytes = 0;
      }
      current.add(e);
      bytes += size;
    }
    out.add(current);
    return out;
  }

  private Proposer.Proposal propose(Record r) {
    Proposer.Proposal p;
    try {
      p = raft.proposer().proposeAlone(List.of(r)).join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException re ? re : e;
    }
    RecordOutcome o = p.outcomes().getFirst();
    if (!o.getErrorCode().isEmpty()) {
      throw new ControlException(ControlException.Code.valueOf(o.getErrorCode()), o.getErrorMessage());
    }
    return p;
  }
}
