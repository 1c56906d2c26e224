package gantry.node.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.SequencedMap;

/**
 * Everything a manager peer needs to start. Built by {@link ServerConfigLoader} from
 * defaults, then an optional YAML file, then command-line flags (later wins).
 *
 * @param id             this peer's id; must be a key of {@code peers}
 * @param dataDir        Raft log, applied state (RocksDB) and snapshots live here
 * @param raftAddress    host:port for Raft traffic between peers
 * @param grpcAddress    host:port of the ControlService (users, CLI) and DispatcherService (agents)
 * @param httpAddress    host:port of the read-only HTTP API; empty disables it
 * @param peers          every peer of the cluster, id -> Raft host:port, in a stable order
 * @param electionTimeoutMin lower bound of the randomized Raft election timeout
 * @param electionTimeoutMax upper bound of the randomized Raft election timeout
 * @param snapshotEveryEntries take a snapshot (RocksDB checkpoint) and compact the log
 *                     after this many applied entries
 * @param batchMaxRecords most records the proposer packs into one Raft entry
 * @param batchMaxBytes  most bytes the proposer packs into one Raft entry
 * @param raftSegmentBytes size at which a Raft log segment is closed; compaction removes
 *                     whole closed segments behind a snapshot
 * @param heartbeatTtl   a node that sends no heartbeat for this long is marked down
 * @param gc           how long the leader's GC waits before it deletes finished evaluations and
 *                     allocations, dead jobs, ended deployments and down nodes
 * @param schedulerWorkers threads running evaluations on the leader
 * @param eventBuffer    how many of the latest events this peer keeps in memory for WatchEvents
 *                     and {@code /v1/event/stream}
 * @param security       mutual TLS, ACLs, the audit log and the request limits
 */
public record ServerConfig(
    String id,
    Path dataDir,
    String raftAddress,
    String grpcAddress,
    String httpAddress,
    SequencedMap<String, String> peers,
    Duration electionTimeoutMin,
    Duration electionTimeoutMax,
    long snapshotEveryEntries,
    int batchMaxRecords,
    int batchMaxBytes,
    long raftSegmentBytes,
    Duration heartbeatTtl,
    GcThresholds gc,
    int schedulerWorkers,
    int eventBuffer,
    SecurityConfig security) {

  public ServerConfig {
    peers = java.util.Collections.unmodifiableSequencedMap(new java.util.LinkedHashMap<>(peers));
  }

  /** The peers other than this one. */
  public Map<String, String> otherPeers() {
    var others = new java.util.LinkedHashMap<>(peers);
    others.remove(id);
    return others;
  }
}
