package gantry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.util.JsonFormat;
import gantry.v1.ChangeDeploymentResponse;
import gantry.v1.DeploymentAction;
import gantry.v1.DeploymentStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * deployment promote|fail|pause|resume against the fake ControlService, which applies the rules of
 * control.proto: one line with the status the deployment moved to, or the server's refusal and
 * the contract's exit code.
 */
class DeploymentActionCommandTest extends FakeServerTest {
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', textBlock = """
      promote | c2c2     | DEPLOYMENT_ACTION_PROMOTE | Deployment c2c2c2c2 running: promoted; replacing the old allocations
      pause   | 3f2a1c0d | DEPLOYMENT_ACTION_PAUSE   | Deployment 3f2a1c0d paused: paused by an operator
      resume  | d2d2d2d2 | DEPLOYMENT_ACTION_RESUME  | Deployment d2d2d2d2 running: deployment is running
      fail    | 3f2a1c0d | DEPLOYMENT_ACTION_FAIL    | Deployment 3f2a1c0d failed: failed by an operator
      """)
  void eachVerbSendsItsActionAndPrintsTheNewStatus(String verb, String id, DeploymentAction action, String line) {
    var result = client("deployment", verb, id);
    assertEquals(0, result.exitCode(), result.err());
    assertEquals(line + "\n", result.out());
    assertEquals("", result.err());
    assertEquals(action, FakeControlServer.lastChange.getAction());
    assertEquals(id, FakeControlServer.lastChange.getId(), "the prefix goes to the server, which resolves it");
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource(delimiter = '|', textBlock = """
      promote | 3f2a1c0d | deployment 3f2a1c0d is running: it has no canaries to promote
      pause   | 3f2a9e9e | deployment 3f2a9e9e is successful: only a running deployment can be paused
      resume  | 3f2a1c0d | deployment 3f2a1c0d is running: only a paused deployment can be resumed
      fail    | 3f2a9e9e | deployment 3f2a9e9e is successful: it has ended
      """)
  void aRefusalPrintsTheServersReasonAndExitsOne(String verb, String id, String reason) {
    var result = client("deployment", verb, id);
    assertEquals(1, result.exitCode(), result.out());
    assertEquals(reason, result.err().strip());
    assertEquals("", result.out());
  }

  @Test
  void anUnknownOrAmbiguousIdIsTheServersAnswer() {
    var missing = client("deployment", "promote", "ffffffff");
    assertEquals(1, missing.exitCode());
    assertEquals("deployment \"ffffffff\" not found", missing.err().strip());

    var ambiguous = client("deployment", "pause", "3f2a");
    assertEquals(2, ambiguous.exitCode());
    assertEquals("id: prefix \"3f2a\" matches more than one deployment", ambiguous.err().strip());

    assertEquals(2, client("deployment", "resume").exitCode(), "ID is required");
  }

  @Test
  void jsonPrintsTheMovedDeployment() throws Exception {
    var json = client("deployment", "promote", "c2c2c2c2", "--json");
    assertEquals(0, json.exitCode(), json.err());
    var response = ChangeDeploymentResponse.newBuilder();
    JsonFormat.parser().merge(json.out(), response);
    assertEquals(DeploymentStatus.DEPLOYMENT_STATUS_RUNNING, response.getDeployment().getStatus());
    assertEquals(true, response.getDeployment().getGroupsOrThrow("edge").getPromoted());
  }
}
