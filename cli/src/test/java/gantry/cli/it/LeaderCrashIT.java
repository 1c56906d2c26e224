package gantry.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.GetLeaderRequest;
import gantry.v1.RegisterJobRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three manager processes. A leader whose process ends (SIGKILL) is replaced by an election a
 * follower starts as soon as the leader's Raft port refuses connections, not after the election
 * timeout; exactly one follower stands, so the vote does not split. A leader that hangs (SIGSTOP:
 * the kernel still accepts connections on its port) is not taken for dead: the election timeout
 * replaces it, as it always did. Each peer counts those elections in
 * {@code gantry_raft_crash_elections_total} on its {@code /metrics}.
 */
class LeaderCrashIT {
  /**
   * Election timeouts long enough that Ratis' own timeout cannot elect a leader before the watch
   * has acted on a loaded machine (the watch takes 0.1-0.2 s here), so the first test sees which
   * path elected the new leader.
   */
  static final Map<String, String> SLOW_TIMEOUT = Map.of("election_timeout_min", "2s", "election_timeout_max", "4s");

  @TempDir Path dir;

  @Test
  void aKilledLeaderIsReplacedByOneElectionStartedAtOnce() throws Exception {
    try (PeerProcesses cluster = new PeerProcesses(dir, 3, SLOW_TIMEOUT)) {
      String leader = startWithAJob(cluster);
      List<String> followers = others(cluster, leader);

      cluster.kill(leader);
      String next = awaitLeaderAmong(cluster, followers);
      register(cluster, followers.get(1), "after-kill");

      assertEquals(1.0, crashElections(cluster, next), "the new leader stood because the old one's port refused");
      String other = followers.get(0).equals(next) ? followers.get(1) : followers.get(0);
      assertEquals(0.0, crashElections(cluster, other), "only one follower stood at once");
    }
  }

  @Test
  void aHungLeaderIsReplacedByTheElectionTimeoutOnly() throws Exception {
    try (PeerProcesses cluster = new PeerProcesses(dir, 3, SLOW_TIMEOUT)) {
      String leader = startWithAJob(cluster);
      List<String> followers = others(cluster, leader);

      long pid = cluster.pid(leader);
      signal("STOP", pid);
      try {
        awaitLeaderAmong(cluster, followers);
        register(cluster, followers.get(1), "after-stop");
        for (String f : followers) {
          assertEquals(0.0, crashElections(cluster, f), f + " took a hung leader for dead");
        }
      } finally {
        signal("CONT", pid);
      }
    }
  }

  /**
   * Starts the peers, registers a job through a follower and waits until both followers watch
   * the leader (their logs say so); returns the leader's id.
   */
  private static String startWithAJob(PeerProcesses cluster) throws IOException {
    cluster.startAll();
    String leader = cluster.awaitLeader(Duration.ofSeconds(60));
    List<String> followers = others(cluster, leader);
    register(cluster, followers.get(0), "before");
    PeerProcesses.await("both followers watching " + leader, Duration.ofSeconds(30),
        () -> followers.stream().allMatch(f -> logSays(cluster, f, "watching leader " + leader + " ")));
    return leader;
  }

  private static boolean logSays(PeerProcesses cluster, String id, String text) {
    try {
      return cluster.log(id).contains(text);
    } catch (IOException e) {
      return false;
    }
  }

  private static List<String> others(PeerProcesses cluster, String leader) {
    return cluster.peers().stream().map(PeerProcesses.Peer::id).filter(id -> !id.equals(leader)).toList();
  }

  /** Waits until every peer in {@code ids} names the same leader, one of them. */
  private static String awaitLeaderAmong(PeerProcesses cluster, List<String> ids) {
    String[] found = new String[1];
    PeerProcesses.await("a new leader among " + ids, Duration.ofSeconds(60), () -> {
      try {
        var named = ids.stream().map(id -> cluster.stub(id).withDeadlineAfter(2, TimeUnit.SECONDS)
            .getLeader(GetLeaderRequest.getDefaultInstance()).getLeader().getId()).distinct().toList();
        found[0] = named.get(0);
        return named.size() == 1 && ids.contains(found[0]);
      } catch (RuntimeException e) {
        return false;
      }
    });
    return found[0];
  }

  /** A job registered through {@code id}; fails the test unless acknowledged. */
  private static void register(PeerProcesses cluster, String id, String name) {
    cluster.stub(id).withDeadlineAfter(30, TimeUnit.SECONDS)
        .registerJob(RegisterJobRequest.newBuilder().setSpec(Workload.spec(name)).build());
  }

  private static double crashElections(PeerProcesses cluster, String id) throws IOException, InterruptedException {
    String url = "http://127.0.0.1:" + cluster.peer(id).httpPort() + "/metrics";
    try (HttpClient http = HttpClient.newHttpClient()) {
      String body = http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
      return body.lines().filter(l -> l.startsWith("gantry_raft_crash_elections_total "))
          .mapToDouble(l -> Double.parseDouble(l.substring(l.indexOf(' ') + 1).trim()))
          .findFirst().orElseThrow(() -> new AssertionError("no gantry_raft_crash_elections_total on " + url));
    }
  }

  private static void signal(String signal, long pid) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).inheritIO().start();
    assertTrue(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0, "kill -" + signal + " " + pid);
  }
}
