package gantry.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.Job;
import gantry.v1.ListJobsRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three manager processes; 1,000 jobs registered by 8 concurrent clients while the leader is
 * SIGKILLed part-way. Every acknowledged job must be readable from every peer, the peers'
 * state digests must agree, and after all three are killed and restarted nothing
 * acknowledged may be missing (nor may the kills leave RocksDB's library behind in the
 * peers' temporary directories).
 */
class DurabilityIT {
  static final int CLIENTS = 8;
  static final int JOBS = 1000;

  @TempDir Path dir;

  @Test
  void acknowledgedJobsSurviveLeaderKillAndFullRestart() throws Exception {
    try (PeerProcesses cluster = new PeerProcesses(dir, 3, Map.of())) {
      cluster.startAll();
      String firstLeader = cluster.awaitLeader(Duration.ofSeconds(60));

      Workload load = new Workload(cluster);
      ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
      List<Future<?>> clients = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        List<String> names = IntStream.range(0, JOBS / CLIENTS).mapToObj(i -> "job-" + client + "-" + i).toList();
        clients.add(pool.submit(() -> load.register(names, client)));
      }
      PeerProcesses.await("300 acknowledged registrations", Duration.ofSeconds(120), () -> load.acknowledged.size() >= 300);
      cluster.kill(firstLeader);
      int atKill = load.acknowledged.size();
      for (Future<?> f : clients) f.get();
      pool.shutdown();
      assertEquals(JOBS, load.acknowledged.size());
      assertTrue(atKill < JOBS, "the leader was killed while registrations were still going on");

      // A surviving peer, through the CLI as a user would check it.
      String survivor = cluster.peers().stream().map(PeerProcesses.Peer::id).filter(id -> !id.equals(firstLeader)).findFirst().orElseThrow();
      Gantry.Result ls = Gantry.run("job", "ls", "--json", "--address", cluster.peer(survivor).grpc());
      assertEquals(0, ls.exit(), ls.stderr());
      for (String name : load.acknowledged) assertTrue(ls.stdout().contains("\"" + name + "\""), "job ls lacks " + name);

      cluster.start(firstLeader);
      cluster.awaitLeader(Duration.ofSeconds(60));
      for (PeerProcesses.Peer p : cluster.peers()) assertAllReadable(cluster, p.id(), load.acknowledged);
      String digest = cluster.awaitEqualDigests(Duration.ofSeconds(60));

      cluster.killAll();
      cluster.startAll();
      cluster.awaitLeader(Duration.ofSeconds(60));
      for (PeerProcesses.Peer p : cluster.peers()) assertAllReadable(cluster, p.id(), load.acknowledged);
      assertEquals(digest, cluster.awaitEqualDigests(Duration.ofSeconds(60)),
          "a restart must neither re-apply nor skip an entry");
      // Two SIGKILLs and three starts each: RocksDB's library is the one copy in the data
      // directory, none was left in the temporary directory.
      for (PeerProcesses.Peer p : cluster.peers()) {
        try (var left = java.nio.file.Files.list(cluster.tmpDir(p.id()))) {
          assertEquals(List.of(), left.filter(f -> f.getFileName().toString().contains("rocksdb")).toList(),
              "peer " + p.id() + " left RocksDB's library in its temporary directory");
        }
        try (var builds = java.nio.file.Files.list(p.dataDir().resolve("native"))) {
          assertEquals(1, builds.count(), "one copy of RocksDB's library in " + p.id() + "'s data directory");
        }
      }
    }
  }

  /**
   * A linearizable read on peer {@code id} lists every acknowledged job. A read may fail while
   * an election is under way (UNAVAILABLE); it is retried for up to a minute.
   */
  static void assertAllReadable(PeerProcesses cluster, String id, Set<String> acknowledged) {
    java.util.concurrent.atomic.AtomicReference<Set<String>> listed = new java.util.concurrent.atomic.AtomicReference<>();
    PeerProcesses.await("peer " + id + " to answer a linearizable read", Duration.ofSeconds(60), () -> {
      try {
        listed.set(cluster.stub(id).listJobs(ListJobsRequest.getDefaultInstance()).getJobsList().stream()
            .map(Job::getName).collect(Collectors.toSet()));
        return true;
      } catch (RuntimeException e) {
        return false;
      }
    });
    Set<String> missing = new java.util.TreeSet<>(acknowledged);
    missing.removeAll(listed.get());
    assertTrue(missing.isEmpty(), "peer " + id + " lost acknowledged jobs: " + missing);
  }
}
