package gantry.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.ListJobsRequest;
import gantry.v1.RegisterJobRequest;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A peer that knows its state diverged from the cluster's takes no part until an operator
 * repairs it: it does not join Raft (no vote, no leadership), writes nothing, refuses reads,
 * and says why in {@code gantry operator raft peers}, whichever manager is asked.
 */
class DivergedPeerIT {
  @TempDir Path dir;

  @Test
  void aDivergedPeerTakesNoPartAndSaysWhy() throws Exception {
    try (PeerProcesses cluster = new PeerProcesses(dir, 3, Map.of())) {
      cluster.startAll();
      String leader = cluster.awaitLeader(Duration.ofSeconds(60));
      cluster.stub(leader).registerJob(RegisterJobRequest.newBuilder().setSpec(Workload.spec("before")).build());
      String bad = leader.equals("m3") ? "m2" : "m3";
      cluster.kill(bad);
      // What GantryStateMachine records when Raft truncates an entry it had applied.
      Path sm;
      try (Stream<Path> s = Files.walk(cluster.peer(bad).dataDir())) {
        sm = s.filter(p -> p.getFileName().toString().equals("sm") && Files.isDirectory(p)).findFirst().orElseThrow();
      }
      Files.writeString(sm.resolve("DIVERGED"), "this peer applied log entry 7 (applied up to 9) and Raft then truncated it\n");
      cluster.start(bad);
      String badAddress = "127.0.0.1:" + cluster.peer(bad).grpcPort();
      PeerProcesses.await(bad + " answers", Duration.ofSeconds(60),
          () -> cluster.stub(bad).listPeers(gantry.v1.ListPeersRequest.getDefaultInstance()).getPeersCount() == 3);

      for (String asked : new String[] {badAddress, cluster.addresses()}) {
        String peers = Gantry.ok(Gantry.runAt(asked, "operator", "raft", "peers"));
        assertTrue(peers.contains(bad + ": diverged: this peer applied log entry 7"), "asked " + asked + ":\n" + peers);
      }
      Gantry.Result write = Gantry.runAt(badAddress, "job", "run", "--detach", example().toString());
      assertEquals(1, write.exit(), write.stderr());
      assertTrue(write.stderr().contains("has diverged"), write.stderr());
      assertThrows(RuntimeException.class, () -> cluster.stub(bad).listJobs(ListJobsRequest.newBuilder().setStale(true).build()),
          "its state is not to be trusted, not even for a stale read");
      assertTrue(!listening(cluster.peer(bad).raftPort()), "it does not listen on its Raft port: no vote, no leadership");
      assertEquals(1, cluster.stub(leader).listJobs(ListJobsRequest.getDefaultInstance()).getJobsCount(),
          "the other two go on");
    }
  }

  static Path example() throws IOException {
    Path f = Files.createTempFile("diverged", ".yaml");
    Files.writeString(f, """
        job: refused
        groups:
          - name: g
            count: 1
            tasks:
              - name: t
                driver: exec
                command: [sleep, "60"]
                resources: {cpu: 100, memory: 32}
        """);
    return f;
  }

  static boolean listening(int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
