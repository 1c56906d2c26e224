package gantry.cli.it;

import static gantry.cli.it.AgentDockerClusterIT.await;
import static gantry.cli.it.AgentDockerClusterIT.isRunning;
import static gantry.cli.it.Gantry.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.Allocation;
import gantry.v1.GetJobRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code examples/web.yaml} (3 busybox httpd replicas behind an HTTP check, max_parallel 1,
 * auto_revert) on one manager and one docker agent, with the real Docker engine: a changed env
 * rolls out with at least 3 replicas answering HTTP at every sample (every 200 ms, a GET on each
 * running replica's port), ends with every replica on the new version and no old container
 * left; a missing image fails the deployment with the image's reason and is reverted with every
 * replica answering again.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebRollingUpdateIT {
  private static final int COUNT = 3;
  private static final String JOB = "web";

  @TempDir static Path dir;
  private OneManager cluster;

  @BeforeAll
  void startCluster() throws Exception {
    cluster = OneManager.start(dir, "WebRollingUpdateIT", "docker", "d1");
  }

  @AfterAll
  void stopCluster() throws Exception {
    if (cluster == null) return;
    List<String> ids = allocs().stream().map(Allocation::getId).toList();
    try {
      cluster.close();
    } finally {
      DockerCli.removeAllOf(ids); // what the agent did not remove once its job stopped
    }
  }

  @Test
  void anUpdateKeepsEveryReplicaAnsweringAndABrokenImageIsReverted() throws Exception {
    String example = Files.readString(Path.of("..", "examples", "web.yaml"));
    assertTrue(example.contains("count: 3") && example.contains("max_parallel: 1") && example.contains("GREETING: hello"),
        "the example this test runs");
    ok(Gantry.runAt(cluster.addresses(), "job", "run", write("v1.yaml", example).toString()));
    await("3 replicas answering", 120, () -> answering(running()) == COUNT);
    List<Allocation> v1 = running();

    AtomicInteger fewest = new AtomicInteger(Integer.MAX_VALUE);
    try (Sampling s = new Sampling(() -> fewest.accumulateAndGet(answering(running()), Math::min))) {
      ok(Gantry.runAt(cluster.addresses(), "job", "run", write("v2.yaml", example.replace("GREETING: hello", "GREETING: bye"))
          .toString()));
      await("3 replicas of version 2", 60, () -> running().size() == COUNT && running().stream().allMatch(a -> a.getJobVersion() == 2));
      s.stop();
      assertTrue(fewest.get() >= COUNT, "replicas answering HTTP never fell below " + COUNT + "; fewest: " + fewest
          + " over " + s.samples() + " samples");
    }
    await("no container of version 1 left", 60,
        () -> v1.stream().allMatch(a -> DockerCli.containers(a.getId(), true).isEmpty()));

    fewest.set(Integer.MAX_VALUE);
    try (Sampling s = new Sampling(() -> fewest.accumulateAndGet(answering(running()), Math::min))) {
      Gantry.Result broken = Gantry.runAt(cluster.addresses(), "job", "run",
          write("v3.yaml", example.replace("local/busybox:1", "local/nope:1")).toString());
      assertEquals(1, broken.exit(), broken.toString());
      assertTrue(broken.stderr().contains("local/nope:1") && broken.stderr().contains("reverted to version 2"), broken.stderr());
      await("version 4 (version 2's spec) answering everywhere", 120,
          () -> running().size() == COUNT && running().stream().allMatch(a -> a.getJobVersion() == 4) && answering(running()) == COUNT);
      s.stop();
      assertTrue(fewest.get() >= COUNT - 1, "at most max_parallel replicas down during the failed update; fewest: " + fewest);
    }
    assertEquals("bye", cluster.stub().getJob(GetJobRequest.newBuilder().setName(JOB).build()).getJob().getSpec()
        .getGroups(0).getTasks(0).getEnvOrThrow("GREETING"));
    assertTrue(allocs().stream().filter(a -> a.getJobVersion() == 3).allMatch(a -> !isRunning(a)),
        "no allocation of the broken version runs");
  }

  private Path write(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text);
  }

  private List<Allocation> allocs() {
    return cluster.allocs(JOB);
  }

  private List<Allocation> running() {
    return cluster.running(JOB);
  }

  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();

  /** How many of {@code allocations} answer 200 on their host port now. */
  private static int answering(List<Allocation> allocations) {
    int n = 0;
    for (Allocation a : allocations) {
      if (a.getPortsCount() == 0) continue;
      try {
        HttpResponse<Void> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + a.getPorts(0).getHost() + "/"))
            .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) n++;
      } catch (java.io.IOException e) {
        // not answering
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return n;
      }
    }
    return n;
  }
}
