package gantry.node.state;

import gantry.node.store.Keys;
import gantry.node.store.StateStore;
import gantry.v1.Job;
import gantry.v1.JobRegistered;
import gantry.v1.JobStatus;
import gantry.v1.JobStopped;
import gantry.v1.PeerAnnounced;
import gantry.v1.Peer;
import gantry.v1.Record;
import gantry.v1.RecordOutcome;
import com.google.protobuf.InvalidProtocolBufferException;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The replicated state of the cluster as seen by one peer, and {@link #replay} — the only
 * code that changes it. Leader and followers run the same replay on the same log.
 *
 * <p>In-memory maps serve reads; every change is also written to the entry's {@link Mutations}
 * so RocksDB holds the same state. At start the maps are rebuilt from RocksDB
 * ({@link #load}). Replay reads no clock and no random source: every such value is in the
 * record.
 *
 * <p>Job transitions: absent -> RUNNING (v1) on register; RUNNING -> RUNNING (v+1) on a
 * changed spec; STOPPED -> RUNNING (v+1) on register; RUNNING -> STOPPED on stop; any -> absent
 * on purge. Anything else is a no-op or a NOT_FOUND outcome.
 */
public final class ClusterState {
  private final Map<String, Job> jobs = new ConcurrentHashMap<>();
  private final Map<String, Peer> peers = new ConcurrentHashMap<>();

  /** An empty state. */
  public ClusterState() {}

  /** Rebuilds the in-memory indexes from the store. */
  public static ClusterState load(StateStore store) {
    ClusterState state = new ClusterState();
    store.scan(Keys.JOB, (k, v) -> {
      Job job = parse(Job.parser()::parseFrom, k, v);
      state.jobs.put(job.getName(), job);
    });
    store.scan(Keys.PEER, (k, v) -> {
      Peer peer = parse(Peer.parser()::parseFrom, k, v);
      state.peers.put(peer.getId(), peer);
    });
    return state;
  }

  /**
   * Applies one record at Raft index {@code index}.
   *
   * @return what it did, for the proposer's caller
   */
  public RecordOutcome replay(Record record, long index, Mutations out) {
    return switch (record.getKindCase()) {
      case JOB_REGISTERED -> registerJob(record.getJobRegistered(), index, out);
      case JOB_STOPPED -> stopJob(record.getJobStopped(), index, out);
      case JOB_PURGED -> purgeJob(record.getJobPurged().getName(), out);
      case PEER_ANNOUNCED -> announcePeer(record.getPeerAnnounced(), out);
      case KIND_NOT_SET -> throw new IllegalArgumentException("record without a kind at index " + index);
    };
  }

  private RecordOutcome registerJob(JobRegistered r, long index, Mutations out) {
    String name = r.getSpec().getName();
    Job old = jobs.get(name);
    if (old != null && old.getStatus() == JobStatus.JOB_STATUS_RUNNING && old.getSpec().equals(r.getSpec())) {
      return RecordOutcome.newBuilder().setChanged(false).setJob(old).build();
    }
    Job job = Job.newBuilder()
        .setName(name)
        .setVersion(old == null ? 1 : old.getVersion() + 1)
        .setSpec(r.getSpec())
        .setStatus(JobStatus.JOB_STATUS_RUNNING)
        .setCreateIndex(old == null ? index : old.getCreateIndex())
        .setModifyIndex(index)
        .setSubmitTimeMs(r.getTimeMs())
        .build();
    putJob(job, out);
    return RecordOutcome.newBuilder().setChanged(true).setJob(job).build();
  }

  private RecordOutcome stopJob(JobStopped r, long index, Mutations out) {
    Job old = jobs.get(r.getName());
    if (old == null) return notFound(r.getName());
    if (old.getStatus() == JobStatus.JOB_STATUS_STOPPED) {
      return RecordOutcome.newBuilder().setChanged(false).setJob(old).build();
    }
    Job job = old.toBuilder().setStatus(JobStatus.JOB_STATUS_STOPPED).setModifyIndex(index).build();
    putJob(job, out);
    return RecordOutcome.newBuilder().setChanged(true).setJob(job).build();
  }

  private RecordOutcome purgeJob(String name, Mutations out) {
    Job old = jobs.remove(name);
    if (old == null) return notFound(name);
    out.delete(Keys.job(name));
    return RecordOutcome.newBuilder().setChanged(true).setJob(old).build();
  }

  private RecordOutcome announcePeer(PeerAnnounced r, Mutations out) {
    Peer peer = Peer.newBuilder().setId(r.getId())
        .setGrpcAddress(r.getGrpcAddress()).setHttpAddress(r.getHttpAddress()).build();
    if (peer.equals(peers.get(r.getId()))) return RecordOutcome.newBuilder().setChanged(false).build();
    peers.put(peer.getId(), peer);
    out.put(Keys.peer(peer.getId()), peer);
    return RecordOutcome.newBuilder().setChanged(true).build();
  }

  private void putJob(Job job, Mutations out) {
    jobs.put(job.getName(), job);
    out.put(Keys.job(job.getName()), job);
  }

  private static RecordOutcome notFound(String name) {
    return RecordOutcome.newBuilder().setErrorCode("NOT_FOUND")
        .setErrorMessage("job \"" + name + "\" not found").build();
  }

  public Optional<Job> job(String name) {
    return Optional.ofNullable(jobs.get(name));
  }

  /** Jobs whose name starts with {@code prefix}, sorted by name. */
  public List<Job> jobs(String prefix) {
    return jobs.values().stream()
        .filter(j -> j.getName().startsWith(prefix))
        .sorted(Comparator.comparing(Job::getName))
        .toList();
  }

  public int jobCount() {
    return jobs.size();
  }

  /** Peers that announced their addresses, by id. */
  public Map<String, Peer> announcedPeers() {
    return Map.copyOf(peers);
  }

  private interface Parser<T> {
    T parse(byte[] bytes) throws InvalidProtocolBufferException;
  }

  private static <T> T parse(Parser<T> parser, String key, byte[] value) {
    try {
      return parser.parse(value);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException("corrupt value at " + key + ": " + e.getMessage(), e);
    }
  }
}
