package gantry.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import gantry.v1.Deployment;
import gantry.v1.DeploymentStatus;
import gantry.v1.ListDeploymentsResponse;
import gantry.v1.ListJobVersionsResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deployments and versions through the CLI against one real peer with no agent: a job with an
 * update block makes a deployment that stays running (nothing can be placed), a changed spec makes
 * version 2 (cancelling the first deployment), and {@code job history} names the key that changed.
 */
class DeploymentIT {
  @TempDir Path dir;

  static final String WEB = """
      job: web
      groups:
        - name: frontend
          count: 2
          update: {max_parallel: 1, min_healthy_time: 1s}
          tasks:
            - name: httpd
              driver: docker
              image: local/busybox:1
              resources: {cpu: 100, memory: 32}
      """;

  @Test
  void registrationsMakeDeploymentsAndVersions() throws Exception {
    try (PeerProcesses cluster = new PeerProcesses(dir.resolve("cluster"), 1, Map.of())) {
      cluster.startAll();
      cluster.awaitLeader(Duration.ofSeconds(60));
      String addr = cluster.addresses();

      Gantry.ok(Gantry.runAt(addr, "job", "run", "--detach", write("v1.yaml", WEB).toString()));
      List<Deployment> first = deployments(addr);
      assertEquals(1, first.size(), first.toString());
      assertEquals("web", first.getFirst().getJob());
      assertEquals(1, first.getFirst().getJobVersion());
      assertEquals(DeploymentStatus.DEPLOYMENT_STATUS_RUNNING, first.getFirst().getStatus());
      String history = Gantry.ok(Gantry.runAt(addr, "job", "history", "web"));
      assertTrue(history.lines().anyMatch(l -> l.matches("1\\s+false\\s+\\d{4}-.*")), history);

      Gantry.ok(Gantry.runAt(addr, "job", "run", "--detach",
          write("v2.yaml", WEB.replace("local/busybox:1", "local/nope:1")).toString()));
      history = Gantry.ok(Gantry.runAt(addr, "job", "history", "web"));
      assertTrue(history.lines().anyMatch(l -> l.matches("2\\s+false\\s+\\d{4}-.*")), history);
      assertTrue(history.contains("Version 2 (against 1)\n  groups[frontend].tasks[httpd].image: local/busybox:1 -> local/nope:1\n"),
          history);
      var versions = ListJobVersionsResponse.newBuilder();
      JsonFormat.parser().merge(Gantry.ok(Gantry.runAt(addr, "job", "history", "web", "--json")), versions);
      assertEquals(2, versions.getVersionsCount());

      List<Deployment> both = deployments(addr);
      assertEquals(List.of(2L, 1L), both.stream().map(Deployment::getJobVersion).toList(), "newest first");
      String newest = both.get(0).getId().substring(0, 8);
      String status = Gantry.ok(Gantry.runAt(addr, "deployment", "status", newest));
      assertTrue(status.contains("Status      = running\n"), status);
      assertTrue(status.lines().anyMatch(l -> l.matches("frontend\\s+false\\s+2\\s+0\\s+0\\s+0\\s+-\\s+true\\s+false\\s+\\S+ \\S+Z")),
          status);
      String older = Gantry.ok(Gantry.runAt(addr, "deployment", "status", both.get(1).getId()));
      assertTrue(older.contains("Status      = cancelled\nDescription = cancelled: superseded by version 2\n"), older);
      Gantry.Result missing = Gantry.runAt(addr, "deployment", "status", "ffffffff");
      assertEquals(1, missing.exit(), missing.stderr());
      assertEquals("deployment \"ffffffff\" not found", missing.stderr().strip());

      String job = Gantry.ok(Gantry.runAt(addr, "job", "status", "web"));
      assertTrue(job.contains("Latest deployment\nID          = " + newest + "\n"), job);

      // No update block: no deployment, so job run returns at once even without --detach.
      Gantry.Result plain = Gantry.runAt(addr, "job", "run",
          write("plain.yaml", WEB.replace("job: web", "job: plain").replace("    update: {max_parallel: 1, min_healthy_time: 1s}\n", ""))
              .toString());
      assertEquals(0, plain.exit(), plain.stderr());
      assertEquals("Job \"plain\" registered: version 1", plain.stdout().strip());
      assertEquals(2, deployments(addr).size());
    }
  }

  private static List<Deployment> deployments(String addr) throws Exception {
    var response = ListDeploymentsResponse.newBuilder();
    JsonFormat.parser().merge(Gantry.ok(Gantry.runAt(addr, "deployment", "ls", "--json")), response);
    return response.getDeploymentsList();
  }

  private Path write(String name, String text) throws Exception {
    return Files.writeString(dir.resolve(name), text);
  }
}
