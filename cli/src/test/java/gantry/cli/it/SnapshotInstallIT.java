package gantry.cli.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.ListJobsRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peer that is down while the others snapshot and compact their logs cannot catch up
 * from the log: it must receive a snapshot (a RocksDB checkpoint) and load it.
 */
class SnapshotInstallIT {
  @TempDir Path dir;

  @Test
  void latePeerCatchesUpBySnapshotInstall() throws Exception {
    try (PeerProcesses cluster = new PeerProcesses(dir, 3, Map.of("snapshot_every_entries", "40", "raft_segment_bytes", "16384"))) {
      cluster.startAll();
      String leader = cluster.awaitLeader(Duration.ofSeconds(60));
      String late = leader.equals("m3") ? "m2" : "m3";
      cluster.kill(late);

      Workload load = new Workload(cluster);
      // One job per request, one after another: about one Raft entry each, several snapshots
      // and many small log segments for compaction to remove.
      int start = cluster.peers().stream().map(PeerProcesses.Peer::id).toList().indexOf(leader);
      load.register(IntStream.range(0, 400).mapToObj(i -> "snap-" + i).toList(), start);

      cluster.start(late);
      DurabilityIT.assertAllReadable(cluster, late, load.acknowledged);
      cluster.awaitEqualDigests(Duration.ofSeconds(60));
      assertTrue(cluster.log(late).contains("loading the snapshot installed from the leader"),
          "peer " + late + " should have caught up by snapshot install; its log:\n" + tail(cluster.log(late)));
      assertTrue(cluster.stub(late).listJobs(ListJobsRequest.newBuilder().setStale(true).build()).getJobsCount() >= 400,
          "the late peer's own state holds every job");
    }
  }

  static String tail(String log) {
    List<String> lines = log.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }
}
