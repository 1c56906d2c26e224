package gantry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.util.JsonFormat;
import gantry.v1.RegisterJobResponse;
import gantry.v1.RevertJobResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * job run and job revert following the deployment they made, against the scripted deployments of
 * the fake ControlService (one step per poll): what the user reads, line by line, and the exit
 * code. Output is not a terminal here (plain lines, one per change) except where a test asks for
 * one.
 */
class DeploymentFollowTest extends FakeServerTest {
  @TempDir
  Path dir;

  private static String watching(String job) {
    return "Watching deployment " + FakeControlServer.scriptId(job).substring(0, 8)
        + " of version 3 (Ctrl-C stops watching, not the deployment)";
  }

  /** roll-ok's progress as plain lines: its third poll changes nothing and prints nothing. */
  private static final List<String> ROLL_OK = List.of(
      "g: 2 desired, 0 placed, 0 healthy, 0 unhealthy",
      "Deployment a0a0a0a0 running: deployment is running",
      "g: 2 desired, 1 placed, 0 healthy, 0 unhealthy",
      "g: 2 desired, 2 placed, 2 healthy, 0 unhealthy",
      "Deployment a0a0a0a0 successful");

  private static List<String> lines(String first, String second, List<String> rest) {
    List<String> all = new ArrayList<>(List.of(first, second));
    all.addAll(rest);
    return all;
  }

  @Test
  void runPrintsALineOnlyWhenSomethingChangedAndExitsZeroOnSuccess() throws Exception {
    var run = client("job", "run", spec("roll-ok").toString());
    assertEquals(0, run.exitCode(), run.err() + run.out());
    assertEquals(lines("Job \"roll-ok\" registered: version 3", watching("roll-ok"), ROLL_OK), run.out().lines().toList());
    assertEquals("", run.err());
  }

  @Test
  void runExitsOneWithTheReasonWhenTheDeploymentFails() throws Exception {
    var run = client("job", "run", spec("roll-bad").toString());
    assertEquals(1, run.exitCode(), run.out());
    assertEquals("Deployment b0b0b0b0 failed: allocation 7c7c7c7c unhealthy: task httpd: exit code 1", run.err().strip());
    assertEquals(lines("Job \"roll-bad\" registered: version 3", watching("roll-bad"), List.of(
        "g: 2 desired, 1 placed, 0 healthy, 0 unhealthy",
        "Deployment b0b0b0b0 running: deployment is running",
        "g: 2 desired, 1 placed, 0 healthy, 1 unhealthy")), run.out().lines().toList());

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

  @Test
  void blockedOnHealthyCanariesExitsZeroWithTheCommandToPromote() throws Exception {
    String id = FakeControlServer.scriptId("roll-canary");
    var run = client("job", "run", spec("roll-canary").toString());
    assertEquals(0, run.exitCode(), run.err() + run.out());
    assertEquals(lines("Job \"roll-canary\" registered: version 3", watching("roll-canary"), List.of(
        "g: 2 desired, 0 placed, 0 healthy, 0 unhealthy, canaries 0/1 placed",
        "Deployment c0c0c0c0 running: placing canaries",
        "g: 2 desired, 1 placed, 0 healthy, 0 unhealthy, canaries 1/1 placed",
        "Deployment c0c0c0c0 running: waiting for the canaries to be healthy",
        "g: 2 desired, 1 placed, 1 healthy, 0 unhealthy, canaries 1/1 placed",
        "Deployment c0c0c0c0 blocked: every canary is healthy; the roll-out waits for promotion",
        "Promote it with: gantry deployment promote " + id)), run.out().lines().toList());
    assertEquals("", run.err());

    // --json keeps stdout for the one document; the operator's next step goes to stderr.
    var json = client("job", "run", spec("roll-canary").toString(), "--json");
    assertEquals(0, json.exitCode(), json.err());
    JsonFormat.parser().merge(json.out(), RegisterJobResponse.newBuilder());
    assertEquals(List.of("Deployment c0c0c0c0 blocked: every canary is healthy; the roll-out waits for promotion",
        "Promote it with: gantry deployment promote " + id), json.err().lines().toList());
  }

  @Test
  void canariesThatPromoteThemselvesAreFollowedToTheEnd() throws Exception {
    var run = client("job", "run", spec("roll-auto").toString());
    assertEquals(0, run.exitCode(), run.err() + run.out());
    assertEquals(lines("Job \"roll-auto\" registered: version 3", watching("roll-auto"), List.of(
        "g: 2 desired, 0 placed, 0 healthy, 0 unhealthy, canaries 0/1 placed",
        "Deployment c1c1c1c1 running: placing canaries",
        "g: 2 desired, 1 placed, 1 healthy, 0 unhealthy, canaries 1/1 placed",
        "Deployment c1c1c1c1 blocked: every canary is healthy; promoting (canaries healthy; auto_promote promotes them)",
        "g: 2 desired, 1 placed, 1 healthy, 0 unhealthy, canaries 1/1 placed, promoted",
        "Deployment c1c1c1c1 running: promoted",
        "g: 2 desired, 2 placed, 2 healthy, 0 unhealthy, canaries 1/1 placed, promoted",
        "Deployment c1c1c1c1 successful")), run.out().lines().toList());
  }

  @Test
  void aPausedDeploymentIsFollowedWithTheCommandToResumeIt() throws Exception {
    var run = client("job", "run", spec("roll-pause").toString());
    assertEquals(0, run.exitCode(), run.err() + run.out());
    assertEquals(lines("Job \"roll-pause\" registered: version 3", watching("roll-pause"), List.of(
        "g: 2 desired, 0 placed, 0 healthy, 0 unhealthy",
        "Deployment d0d0d0d0 running: deployment is running",
        "g: 2 desired, 1 placed, 0 healthy, 0 unhealthy",
        "Deployment d0d0d0d0 paused: paused by an operator (resume with: gantry deployment resume "
            + FakeControlServer.scriptId("roll-pause") + ")",
        "Deployment d0d0d0d0 running: deployment is running",
        "g: 2 desired, 2 placed, 2 healthy, 0 unhealthy",
        "Deployment d0d0d0d0 successful")), run.out().lines().toList());
  }

  @Test
  void theWatchSurvivesTwoUnavailablePolls() throws Exception {
    var run = client("job", "run", spec("roll-flaky").toString());
    assertEquals(0, run.exitCode(), run.err() + run.out());
    assertEquals(lines("Job \"roll-flaky\" registered: version 3", watching("roll-flaky"), List.of(
        "g: 2 desired, 0 placed, 0 healthy, 0 unhealthy",
        "Deployment e0e0e0e0 running: deployment is running",
        "Waiting for the managers (retrying for up to 30 s): no manager reachable at " + server.address()
            + " (last error: UNAVAILABLE: " + FakeControlServer.NO_LEADER + ")",
        "g: 2 desired, 1 placed, 0 healthy, 0 unhealthy",
        "Deployment e0e0e0e0 running: deployment is running",
        "g: 2 desired, 2 placed, 2 healthy, 0 unhealthy",
        "Deployment e0e0e0e0 successful")), run.out().lines().toList());
    assertEquals("", run.err());
  }

  @Test
  void onATerminalTheProgressIsRedrawnInPlace() throws Exception {
    String clear = "\r\u001b[2K";
    String up2 = "\u001b[2A";
    String status = clear + "Deployment a0a0a0a0 running: deployment is running\n";
    var run = Cli.runAtTerminal(server.address(), "job", "run", spec("roll-ok").toString());
    assertEquals(0, run.exitCode(), run.err());
    assertEquals("Job \"roll-ok\" registered: version 3\n" + watching("roll-ok") + "\n"
        + clear + "g: 2 desired, 0 placed, 0 healthy, 0 unhealthy\n" + status
        + up2 + clear + "g: 2 desired, 1 placed, 0 healthy, 0 unhealthy\n" + status
        + up2 + clear + "g: 2 desired, 1 placed, 0 healthy, 0 unhealthy\n" + status
        // The last frame has no status line: it is cleared, and the outcome is printed in its place.
        + up2 + clear + "g: 2 desired, 2 placed, 2 healthy, 0 unhealthy\n" + clear + "\n" + "\u001b[1A"
        + "Deployment a0a0a0a0 successful\n", run.out());
  }

  @Test
  void revertFollowsTheNewVersionsDeploymentAsRunDoes() {
    var revert = client("job", "revert", "roll-ok", "1");
    assertEquals(0, revert.exitCode(), revert.err() + revert.out());
    assertEquals(lines("Job \"roll-ok\" reverted to the spec of version 1: version 3", watching("roll-ok"), ROLL_OK),
        revert.out().lines().toList());
    assertEquals("roll-ok", FakeControlServer.lastRevert.getName());
    assertEquals(1, FakeControlServer.lastRevert.getVersion());

    var failed = client("job", "revert", "roll-bad", "1");
    assertEquals(1, failed.exitCode(), failed.out());
    assertEquals("Deployment b0b0b0b0 failed: allocation 7c7c7c7c unhealthy: task httpd: exit code 1", failed.err().strip());
    assertEquals("g: 2 desired, 1 placed, 0 healthy, 1 unhealthy", failed.out().lines().toList().getLast());
  }

  @Test
  void revertWithDetachOrWithoutAChangeReturnsAtOnce() throws Exception {
    var detached = client("job", "revert", "roll-bad", "1", "--detach");
    assertEquals(0, detached.exitCode(), detached.err());
    assertEquals("Job \"roll-bad\" reverted to the spec of version 1: version 3\n", detached.out());

    var unchanged = client("job", "revert", "web", "2");
    assertEquals(0, unchanged.exitCode(), unchanged.err());
    assertEquals("Job \"web\" unchanged: version 2 already has the spec of version 2\n", unchanged.out());

    var json = client("job", "revert", "web", "1", "--json");
    assertEquals(0, json.exitCode(), json.err());
    var response = RevertJobResponse.newBuilder();
    JsonFormat.parser().merge(json.out(), response);
    assertEquals(3, response.getJob().getVersion());
  }

  @Test
  void revertRefusalsAreTheServersAndBadVersionsNeverLeave() {
    var noVersion = client("job", "revert", "roll-ok", "7");
    assertEquals(1, noVersion.exitCode());
    assertEquals("job \"roll-ok\" has no version 7", noVersion.err().strip());

    var noJob = client("job", "revert", "nope", "1");
    assertEquals(1, noJob.exitCode());
    assertEquals("job \"nope\" not found", noJob.err().strip());

    FakeControlServer.lastRevert = null;
    var zero = client("job", "revert", "web", "0");
    assertEquals(2, zero.exitCode());
    assertEquals("VERSION: must be a version number, 1 or more, got 0", zero.err().strip());
    assertEquals(2, client("job", "revert", "web", "two").exitCode());
    assertEquals(2, client("job", "revert", "web").exitCode());
    assertEquals(null, FakeControlServer.lastRevert, "bad input is refused before any call");
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
