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
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * deployment ls / status, job history and the latest deployment in job status, against the fake
 * ControlService: tables, JSON and exit codes. Following a deployment is {@link DeploymentFollowTest}'s,
 * the verbs that move one {@link DeploymentActionCommandTest}'s.
 */
class DeploymentCommandTest extends FakeServerTest {
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
    assertEquals(List.of("VERSION", "STABLE", "SUBMITTED", "WHY"), cells(lines.get(0)));
    assertEquals(List.of("1", "true", "2023-11-14 21:56:40Z", "registered"), cells(lines.get(1)));
    assertEquals(List.of("2", "false", "2023-11-14 22:13:20Z", "registered"), cells(lines.get(2)));
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
}
