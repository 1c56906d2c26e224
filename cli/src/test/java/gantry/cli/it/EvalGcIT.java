package gantry.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.agent.Agent;
import gantry.agent.AgentConfig;
import gantry.v1.EvalStatus;
import gantry.v1.Evaluation;
import gantry.v1.GroupSpec;
import gantry.v1.JobSpec;
import gantry.v1.ListEvaluationsRequest;
import gantry.v1.RegisterJobRequest;
import gantry.v1.Resources;
import gantry.v1.TaskSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The evaluation GC on three manager processes (Nomad's {@code eval_gc_threshold}, here 2 s): a
 * job's earlier, finished evaluation disappears from every peer, its latest stays, and a peer
 * restarted afterwards loads a store without it.
 */
class EvalGcIT {
  @TempDir Path dir;

  static JobSpec job(int count) {
    return JobSpec.newBuilder().setName("gc-web").setType("service")
        .addGroups(GroupSpec.newBuilder().setName("g").setCount(count)
            .addTasks(TaskSpec.newBuilder().setName("t").setDriver("exec").addCommand("sleep").addCommand("600")
                .setResources(Resources.newBuilder().setCpu(100).setMemory(32))))
        .build();
  }

  /** The job's evaluations as peer {@code id} holds them (a stale read: this peer's own state). */
  static List<Evaluation> evals(PeerProcesses cluster, String id) {
    return cluster.stub(id).listEvaluations(ListEvaluationsRequest.newBuilder().setJob("gc-web").setStale(true).build())
        .getEvaluationsList();
  }

  static boolean holds(PeerProcesses cluster, String id, String eval) {
    return evals(cluster, id).stream().anyMatch(e -> e.getId().equals(eval));
  }

  /**
   * Registers the job with {@code count} and waits until the registration's evaluation (made at
   * the registration's index) is COMPLETE; returns its id.
   */
  static String registerAndFinish(PeerProcesses cluster, String leader, int count) {
    long index = cluster.stub(leader).registerJob(RegisterJobRequest.newBuilder().setSpec(job(count)).build()).getIndex();
    java.util.concurrent.atomic.AtomicReference<String> eval = new java.util.concurrent.atomic.AtomicReference<>();
    PeerProcesses.await("the evaluation of the registration at " + index + " complete", Duration.ofSeconds(60),
        () -> evals(cluster, leader).stream().filter(e -> e.getCreateIndex() == index && e.getStatus() == EvalStatus.EVAL_STATUS_COMPLETE)
            .peek(e -> eval.set(e.getId())).findFirst().isPresent());
    return eval.get();
  }

  @Test
  void finishedEvaluationsOlderThanTheThresholdGoFromEveryPeerAndTheLatestStays() throws Exception {
    try (PeerProcesses cluster = new PeerProcesses(dir.resolve("cluster"), 3, Map.of("eval_gc_threshold", "2s"))) {
      cluster.startAll();
      String leader = cluster.awaitLeader(Duration.ofSeconds(60));
      List<String> servers = cluster.peers().stream().map(PeerProcesses.Peer::grpc).toList();
      try (Agent agent = Agent.simulate(AgentConfig.of("gc-node", servers, dir.resolve("agent")).withDriver("sim")
          .withResources(4000, 4096), 1)) {
        String first = registerAndFinish(cluster, leader, 1);
        String latest = registerAndFinish(cluster, leader, 2);

        for (PeerProcesses.Peer p : cluster.peers()) {
          PeerProcesses.await("the first evaluation collected on " + p.id(), Duration.ofSeconds(60),
              () -> !holds(cluster, p.id(), first));
          assertTrue(holds(cluster, p.id(), latest), "the job's latest evaluation stays on " + p.id());
        }
        assertTrue(cluster.log(leader).contains("collecting 1 evaluations finished more than 2 s ago"),
            "the leader says what it collects");

        String follower = cluster.peers().stream().map(PeerProcesses.Peer::id).filter(id -> !id.equals(leader))
            .findFirst().orElseThrow();
        cluster.kill(follower);
        cluster.start(follower);
        String digest = cluster.awaitEqualDigests(Duration.ofSeconds(60));
        List<String> ids = evals(cluster, follower).stream().map(Evaluation::getId).toList();
        assertTrue(ids.contains(latest) && !ids.contains(first), "the restarted peer loaded " + ids + " (digest " + digest + ")");
      }
    }
  }
}
