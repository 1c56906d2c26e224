package gantry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.util.JsonFormat;
import gantry.v1.ListJobsResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Exit codes and output of the commands, run in-process against a fake ControlService. */
class GantryCommandTest extends FakeServerTest {
  static final Path WEB_YAML = Path.of("..", "examples", "web.yaml");

  @TempDir
  Path dir;

  @Test
  void helpAndUsageErrors() {
    assertEquals(0, Cli.run("--help").exitCode());
    assertEquals(2, Cli.run().exitCode());
    assertEquals(2, Cli.run("job").exitCode());
    assertEquals(2, Cli.run("job", "ls", "--no-such-flag").exitCode());
    assertEquals(2, Cli.run("job", "status").exitCode());
    var badAddress = Cli.run("job", "ls", "--address", "nohost");
    assertEquals(2, badAddress.exitCode());
    assertTrue(badAddress.err().contains("--address: expected host:port"), badAddress.err());
    // One line, the reason and where the usage is; not picocli's whole usage text.
    var unknown = Cli.run("job", "ls", "--no-such-flag");
    assertEquals(List.of("Unknown option: '--no-such-flag' (gantry job ls --help shows the usage)"), unknown.err().lines().toList());
    var notANumber = Cli.run("job", "scale", "web", "g", "many");
    assertEquals(1, notANumber.err().lines().count(), notANumber.err());
    assertTrue(notANumber.err().contains("COUNT") && notANumber.err().contains("'many'"), notANumber.err());
    var badStatus = Cli.run("eval", "ls", "--status", "done");
    assertEquals(2, badStatus.exitCode());
    assertEquals("--status: expected pending, complete, blocked, failed or canceled, got \"done\"", badStatus.err().strip());
  }

  @Test
  void runRegistersAndReportsTheVersion() {
    var run = client("job", "run", WEB_YAML.toString(), "--detach");
    assertEquals(0, run.exitCode(), run.err());
    assertEquals("Job \"web\" unchanged: version 2", run.out().strip());
  }

  @Test
  void runWithABadFileExitsTwoBeforeCallingTheServer() throws Exception {
    var missing = Cli.run("job", "run", dir.resolve("nope.yaml").toString(), "--address", FakeControlServer.deadAddress());
    assertEquals(2, missing.exitCode());
    assertTrue(missing.err().startsWith("spec: cannot read"), missing.err());

    Path bad = Files.writeString(dir.resolve("bad.yaml"), "job: x\ngroups: [{name: g, count: three}]\n");
    var result = Cli.run("job", "run", bad.toString(), "--address", FakeControlServer.deadAddress());
    assertEquals(2, result.exitCode());
    assertTrue(result.err().startsWith("groups[0].count: expected a whole number"), result.err());
  }

  @Test
  void serverInvalidArgumentExitsTwoWithTheServersMessage() throws Exception {
    Path negative = Files.writeString(dir.resolve("neg.yaml"), "job: api\ngroups: [{name: g, count: -1}]\n");
    var result = client("job", "run", negative.toString());
    assertEquals(2, result.exitCode());
    assertEquals("groups[0].count: must be >= 0", result.err().strip());
  }

  @Test
  void listAsTableAndJson() throws Exception {
    var table = client("job", "ls");
    assertEquals(0, table.exitCode(), table.err());
    assertTrue(table.out().startsWith("NAME  VERSION  TYPE     STATUS   PRIORITY  GROUPS  SUBMITTED"), table.out());
    assertTrue(table.out().contains("web   2        service  running  50        1       2023-11-14 22:13:20Z"), table.out());

    var json = client("job", "ls", "--json");
    assertEquals(0, json.exitCode(), json.err());
    var response = ListJobsResponse.newBuilder();
    JsonFormat.parser().merge(json.out(), response);
    assertEquals(1, response.getJobsCount());
  }

  @Test
  void stopAndPeers() {
    var stop = client("job", "stop", "web");
    assertEquals(0, stop.exitCode(), stop.err());
    assertEquals("Job \"web\" stopped", stop.out().strip());
    assertEquals(1, client("job", "stop", "nope").exitCode());

    var peers = client("operator", "raft", "peers");
    assertEquals(0, peers.exitCode(), peers.err());
    assertTrue(peers.out().startsWith("ID  RAFT_ADDRESS    GRPC_ADDRESS    LEADER  ROLE"), peers.out());
    assertTrue(peers.out().contains("m1  127.0.0.1:4648  127.0.0.1:4647  true    leader"), peers.out());
    // Port 1 (tcpmux) on loopback: nothing listens there.
    assertTrue(peers.out().lines().anyMatch(l -> l.matches("m2\\s+127\\.0\\.0\\.1:5648\\s+127\\.0\\.0\\.1:1\\s+false\\s+unreachable")),
        "each peer is asked about itself; nothing answers at m2's address here:\n" + peers.out());
  }

  @Test
  void serverConfigErrorsExitTwoNamingTheField() {
    var result = Cli.run("server", "--id", "m1", "--peers", "garbage", "--data-dir", dir.toString());
    assertEquals(2, result.exitCode());
    assertTrue(result.err().startsWith("peers: "), result.err());
  }
}
