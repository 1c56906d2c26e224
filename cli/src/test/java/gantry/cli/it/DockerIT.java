package gantry.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.agent.Agent;
import gantry.agent.AgentConfig;
import gantry.v1.Allocation;
import gantry.v1.AllocatedPort;
import gantry.v1.ClientStatus;
import gantry.v1.DesiredStatus;
import gantry.v1.ListAllocationsRequest;
import gantry.v1.ListNodesRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example job on a real Docker engine: {@code gantry job run examples/web.yaml} (scaled to
 * 4) against a manager process and an agent with the docker driver; every replica answers
 * HTTP on its host port; stopping the job removes the containers.
 */
class DockerIT {
  @TempDir Path dir;

  @Test
  void exampleWebJobRunsOnDockerAndEveryReplicaAnswers() throws Exception {
    try (PeerProcesses cluster = new PeerProcesses(dir.resolve("cluster"), 1, Map.of())) {
      cluster.startAll();
      String peer = cluster.awaitLeader(Duration.ofSeconds(60));
      Agent agent = Agent.start(AgentConfig.of("d1", List.of(cluster.peer(peer).grpc()), dir.resolve("agent"))
          .withDriver("docker"));
      try {
        PeerProcesses.await("the docker node", Duration.ofSeconds(60),
            () -> cluster.stub(peer).listNodes(ListNodesRequest.getDefaultInstance()).getNodesCount() == 1);
        Path spec = dir.resolve("web.yaml");
        java.nio.file.Files.writeString(spec, java.nio.file.Files.readString(Path.of("..", "examples", "web.yaml"))
            .replace("count: 3", "count: 4"));
        Gantry.Result run = Gantry.run("job", "run", "--detach", spec.toString(), "--address", cluster.peer(peer).grpc());
        assertEquals(0, run.exit(), run.stderr());

        PeerProcesses.await("4 healthy replicas", Duration.ofSeconds(90), () -> running(cluster, peer).size() == 4
            && running(cluster, peer).stream().allMatch(a -> "healthy".equals(a.getTasksMap().get("httpd").getHealth())));
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        for (Allocation a : running(cluster, peer)) {
          AllocatedPort port = a.getPorts(0);
          HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port.getHost() + "/"))
              .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
          assertEquals(200, r.statusCode());
          assertTrue(r.body().contains("gantry"), r.body());
        }

        Gantry.Result stop = Gantry.run("job", "stop", "web", "--address", cluster.peer(peer).grpc());
        assertEquals(0, stop.exit(), stop.stderr());
        List<String> ids = cluster.stub(peer).listAllocations(ListAllocationsRequest.newBuilder().setJob("web").build())
            .getAllocationsList().stream().map(Allocation::getId).toList();
        PeerProcesses.await("no containers of the job's allocations", Duration.ofSeconds(60),
            () -> ids.stream().allMatch(id -> containers(id).isEmpty()));
      } finally {
        agent.close();
        removeContainersOf(cluster, peer);
      }
    }
  }

  static List<Allocation> running(PeerProcesses cluster, String peer) {
    return cluster.stub(peer).listAllocations(ListAllocationsRequest.newBuilder().setJob("web").build()).getAllocationsList()
        .stream().filter(a -> a.getDesiredStatus() == DesiredStatus.DESIRED_STATUS_RUN
            && a.getClientStatus() == ClientStatus.CLIENT_STATUS_RUNNING).toList();
  }

  /** Removes, by id, every container left by this test's allocations (whatever the outcome). */
  static void removeContainersOf(PeerProcesses cluster, String peer) {
    try {
      for (Allocation a : cluster.stub(peer).listAllocations(ListAllocationsRequest.newBuilder().setJob("web").build())
          .getAllocationsList()) {
        for (String id : containers(a.getId())) new ProcessBuilder("docker", "rm", "-f", id).start().waitFor();
      }
    } catch (Exception e) {
      System.err.println("DockerIT cleanup: " + e);
    }
  }

  /** Containers (running or not) of one allocation, as `docker ps -a` shows them. */
  static List<String> containers(String allocId) {
    try {
      Process p = new ProcessBuilder("docker", "ps", "-aq", "--filter", "label=gantry.alloc=" + allocId).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor();
      return out.lines().filter(l -> !l.isBlank()).toList();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
