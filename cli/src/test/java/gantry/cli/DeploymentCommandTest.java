package gantry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import gantry.v1.DeploymentStatus;
import gantry.v1.GetDeploymentResponse;
import gantry.v1.GetJobResponse;
import gantry.v1.ListDeploymentsResponse;
import gantry.v1.ListJobVersionsResponse;
import gantry.v1.RegisterJobResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * deployment ls / status, job history, the latest deployment in job status, and job run following
 * a deployment, against the fake ControlService: tables, JSON and exit codes.
 */
class DeploymentCommandTest {
  static FakeControlServer server;

  @TempDir
  Path dir;

  @BeforeAll
  static void start() {
    server = new FakeControlServer();
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static Cli client(String... args) {
    return Cli.runAt(server.address(), args);
  }

  private static List<String> cells(String line) {
    return List.of(line.strip().split("\\s{2,}"));
  }

  @Test
  void listShowsShortIdsNewestFirst() throws Exception {
    var ls = client("deployment", "ls", "--job", "web");
    assertEquals(0, ls.exitCode(), ls.err());
    List<String> lines = ls.out().lines().toList();
    assertEquals(List.of("ID", "JOB", "VERSION", "STATUS", "CANARIES", "PROMOTED", "PROGRESS_BY", "DESCRIPTION"),
        cells(lines.get(0)));
    assertEquals(List.of("3f2a1c0d", "web", "2", "running", "-", "-", "-", "deployment is running"), cells(lines.get(1)));
    assertEquals(List.of("3f2a9e9e", "web", "1", "successful", "-", "-", "-", "deployment completed successfully"),
        cells(lines.get(2)));
    assertEquals(3, lines.size(), ls.out());

    assertEquals("No deployments", client("deployment", "ls", "--job", "other").out().strip());

    var json = client("deployment", "ls", "--json");
    assertEquals(0, json.exitCode(), json.err());
    var response = ListDeploymentsResponse.newBuilder();
    JsonFormat.parser().merge(json.out(), response);
    assertEquals(FakeControlServer.WEB_ROLLING, response.getDeployments(0));
  }

  @Test
  void statusShowsTheCountsPerGroupAndTheDescription() throws Exception {
    var status = client("deployment", "status", "3f2a1c0d");
    assertEquals(0, status.exitCode(), status.err());
    String out = status.out();
    assertTrue(out.contains("ID          = " + FakeControlServer.WEB_ROLLING.getId() + "\n"), out);
    assertTrue(out.contains("Status      = running\n"), out);
    assertTrue(out.contains("Description = deployment is running\n"), out);
    assertFalse(out.contains("Next step"), "a running deployment waits for nobody: " + out);
    List<String> table = out.lines().dropWhile(line -> !line.startsWith("GROUP")).toList();
    assertEquals(List.of(List.of("GROUP", "AUTO_REVERT", "DESIRED", "PLACED", "HEALTHY", "UNHEALTHY", "CANARIES", "PROMOTED",
        "AUTO_PROMOTE", "PROGRESS_BY"), List.of("frontend", "true", "3", "2", "1", "0", "-", "false", "false", "-")),
        table.stream().map(DeploymentCommandTest::cells).toList());

    var json = client("deployment", "status", FakeControlServer.WEB_DONE.getId(), "--json");
    assertEquals(0, json.exitCode(), json.err());
    var response = GetDeploymentResponse.newBuilder();
    JsonFormat.parser().merge(json.out(), response);
    assertEquals(DeploymentStatus.DEPLOYMENT_STATUS_SUCCESSFUL, response.getDeployment().getStatus());

    var missing = client("deployment", "status", "ffffffff");
    assertEquals(1, missing.exitCode());
    assertEquals("deployment \"ffffffff\" not found", missing.err().strip());
    var ambiguous = client("deployment", "status", "3f2a");
    assertEquals(2, ambiguous.exitCode());
    assertTrue(ambiguous.err().startsWith("id: prefix \"3f2a\" matches more than one deployment"), ambiguous.err());
    assertEquals(2, client("deployment", "status").exitCode());
    assertEquals(2, client("deployment").exitCode());
  }

  @Test
  void canariesPromotionAndTheProgressDeadlineShowInTheListAndTheStatus() throws Exception {
    var ls = client("deployment", "ls", "--job", "api");
    assertEquals(0, ls.exitCode(), ls.err());
    List<String> lines = ls.out().lines().toList();
    assertEquals(List.of("c2c2c2c2", "api", "4", "blocked", "1/1", "false", "2023-11-14 22:23:20Z",
        "every canary is healthy; waiting for promotion"), cells(lines.get(1)));
    assertEquals(2, lines.size(), ls.out());

    var status = client("deployment", "status", "c2c2");
    assertEquals(0, status.exitCode(), status.err());
    String out = status.out();
    assertTrue(out.contains("Status      = blocked\nDescription = every canary is healthy; waiting for promotion\n"
        + "Next step   = gantry deployment promote " + FakeControlServer.API_BLOCKED.getId() + "\n"), out);
    List<String> table = out.lines().dropWhile(line -> !line.startsWith("GROUP")).toList();
    assertEquals(List.of("edge", "false", "3", "1", "1", "0", "1/1", "false", "false", "2023-11-14 22:23:20Z"),
        cells(table.get(1)));

    var paused = client("deployment", "status", "d2d2d2d2");
    assertTrue(paused.out().contains("Status      = paused\n"), paused.out());
    assertTrue(paused.out().contains("Next step   = gantry deployment resume " + FakeControlServer.WORKER_PAUSED.getId() + "\n"),
        paused.out());
  }

  @Test
  void jobStatusShowsABlockedLatestDeploymentWithTheCommandToPromoteIt() throws Exception {
    var status = client("job", "status", "api");
    assertEquals(0, status.exitCode(), status.err());
    String out = status.out();
    assertTrue(out.contains("\nLatest deployment\nID          = c2c2c2c2\nVersion     = 4\nStatus      = blocked\n"
        + "Description = every canary is healthy; waiting for promotion\n"
        + "Next step   = gantry deployment promote " + FakeControlServer.API_BLOCKED.getId() + "\n"), out);
    assertTrue(out.lines().anyMatch(line -> cells(line).equals(
        List.of("edge", "false", "3", "1", "1", "0", "1/1", "false", "false", "2023-11-14 22:23:20Z"))), out);
  }

  @Test
  void jobStatusShowsTheLatestDeployment() throws Exception {
    var status = client("job", "status", "web");
    assertEquals(0, status.exitCode(), status.err());
    String out = status.out();
    assertTrue(out.contains("\nLatest deployment\nID          = 3f2a1c0d\nVersion     = 2\nStatus      = running\n"
        + "Description = deployment is running\n"), out);
    assertTrue(out.indexOf("Latest deployment") < out.indexOf("\nAllocations\n"), out);

    var json = client("job", "status", "web", "--json");
    var response = GetJobResponse.newBuilder();
    JsonFormat.parser().merge(json.out(), response);
    assertEquals(FakeControlServer.WEB_ROLLING, response.getLatestDeployment());
  }

  @Test
  void historyListsVersionsOldestFirstWithWhatEachChanged() throws Exception {
    var history = client("job", "history", "web");
    assertEquals(0, history.exitCode(), history.err());
    List<String> lines = history.out().lines().toList();
    assertEquals(List.of("VERSION", "STABLE", "SUBMITTED"), cells(lines.get(0)));
    assertEquals(List.of("1", "true", "2023-11-14 21:56:40Z"), cells(lines.get(1)));
    assertEquals(List.of("2", "false", "2023-11-14 22:13:20Z"), cells(lines.get(2)));
    assertEquals(List.of("", "Version 2 (against 1)", "  groups[frontend].count: 2 -> 3",
        "  groups[frontend].tasks[httpd].image: local/busybox:1 -> local/nope:1"), lines.subList(3, lines.size()));

    var json = client("job", "history", "web", "--json");
    assertEquals(0, json.exitCode(), json.err());
    var response = ListJobVersionsResponse.newBuilder();
    JsonFormat.parser().merge(json.out(), response);
    assertEquals(List.of(FakeControlServer.WEB_V1, FakeControlServer.WEB), response.getVersionsList());

    var missing = client("job", "history", "nope");
    assertEquals(1, missing.exitCode());
    assertEquals("job \"nope\" not found", missing.err().strip());
  }

  @Test
  void runFollowsTheDeploymentUntilItSucceeds() throws Exception {
    var run = client("job", "run", spec("roll-ok").toString());
    assertEquals(0, run.exitCode(), run.err() + run.out());
    assertEquals(List.of(
        "Job \"roll-ok\" registered: version 3",
        "Watching deployment a0a0a0a0 of version 3 (Ctrl-C stops watching, not the deployment)",
        "g: 2 desired, 0 placed, 0 healthy, 0 unhealthy",
        "g: 2 desired, 1 placed, 0 healthy, 0 unhealthy",
        "g: 2 desired, 2 placed, 2 healthy, 0 unhealthy",
        "Deployment a0a0a0a0 successful"), run.out().lines().toList(), "one line per change of the counts");
  }

  @Test
  void runExitsOneWithTheReasonWhenTheDeploymentFails() throws Exception {
    var run = client("job", "run", spec("roll-bad").toString());
    assertEquals(1, run.exitCode(), run.out());
    assertEquals("Deployment b0b0b0b0 failed: allocation 7c7c7c7c unhealthy: task httpd: exit code 1", run.err().strip());
    assertTrue(run.out().endsWith("g: 2 desired, 1 placed, 0 healthy, 1 unhealthy\n"), run.out());

    var json = client("job", "run", spec("roll-bad").toString(), "--json");
    assertEquals(1, json.exitCode(), json.out());
    var response = RegisterJobResponse.newBuilder();
    JsonFormat.parser().merge(json.out(), response);
    assertEquals(3, response.getJob().getVersion(), "--json prints the registration, one document");
  }

  @Test
  void runReturnsAtOnceWithoutADeploymentOrWithDetach() throws Exception {
    var plain = client("job", "run", spec("plain").toString());
    assertEquals(0, plain.exitCode(), plain.err());
    assertEquals("Job \"plain\" registered: version 1", plain.out().strip(), "no update policy: no deployment to follow");

    var detached = client("job", "run", spec("roll-bad").toString(), "--detach");
    assertEquals(0, detached.exitCode(), detached.err());
    assertEquals("Job \"roll-bad\" registered: version 3", detached.out().strip());
  }

  private Path spec(String name) throws Exception {
    return Files.writeString(dir.resolve(name + ".yaml"), """
        job: %s
        groups:
          - name: g
            count: 2
            update: {max_parallel: 1}
            tasks: [{name: t, driver: exec, command: [sleep, "60"], resources: {cpu: 100, memory: 32}}]
        """.formatted(name));
  }
}
