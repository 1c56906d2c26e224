package gantry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.agent.AgentConfig;
import gantry.cli.command.AgentCommand;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The flags of {@code gantry agent} and {@code gantry dev}: bad values exit 2 naming the flag
 * before anything starts (the managers in these tests are dead addresses, so a started agent
 * would show up as a hang, not a pass).
 */
class AgentCommandTest {
  @TempDir
  Path dir;

  private Cli agent(String... extra) {
    String[] base = {"agent", "--name", "a1", "--servers", FakeControlServer.deadAddress(), "--data-dir", dir.toString()};
    String[] all = java.util.Arrays.copyOf(base, base.length + extra.length);
    System.arraycopy(extra, 0, all, base.length, extra.length);
    return Cli.run(all);
  }

  private static void assertBadInput(Cli result, String prefix) {
    assertEquals(2, result.exitCode(), result.err());
    assertTrue(result.err().startsWith(prefix), result.err());
    assertEquals("", result.out());
  }

  @Test
  void aLabelWithoutEqualsExitsTwoNamingTheFlag() {
    var result = agent("--label", "rack=r1", "--label", "ssd");
    assertBadInput(result, "--label: expected key=value, got \"ssd\"");
    assertEquals(1, result.err().strip().lines().count(), result.err());
    assertBadInput(agent("--label", "=x"), "--label: expected key=value");
    assertBadInput(agent("--label", "a=1", "--label", "a=2"), "--label: a given twice");
  }

  @Test
  void theTlsFlagsGoTogetherAndNameWhatIsWrong() {
    assertBadInput(agent("--tls-ca", "ca.pem", "--tls-cert", "a1.pem"),
        "--tls-key: missing; --tls-ca, --tls-cert and --tls-key turn on mutual TLS together");
    assertBadInput(agent("--tls-key", "a1-key.pem"), "--tls-ca: missing;");
    Path absent = dir.resolve("absent.pem");
    assertBadInput(agent("--tls-ca", absent.toString(), "--tls-cert", "a1.pem", "--tls-key", "a1-key.pem"),
        "--tls-ca/--tls-cert/--tls-key: " + absent + ": no such file");
    assertBadInput(agent("--simulate", "3", "--tls-ca", "ca.pem", "--tls-cert", "a1.pem", "--tls-key", "a1-key.pem"),
        "--simulate: not with --tls-cert");
  }

  @Test
  void otherBadValuesExitTwoNamingTheFlag() {
    assertBadInput(agent("--driver", "podman"), "--driver: must be docker, exec or sim, got \"podman\"");
    assertBadInput(agent("--cpu", "-1"), "--cpu: must be >= 0");
    assertBadInput(agent("--memory", "-5"), "--memory: must be >= 0");
    assertBadInput(agent("--simulate", "0"), "--simulate: must be at least 1");
    assertBadInput(Cli.run("agent", "--name", "a1", "--servers", "nohost"), "--servers: expected host:port");
    // picocli's own errors (usage follows the first line).
    assertEquals(2, agent("--cpu", "lots").exitCode());
    var missing = Cli.run("agent", "--servers", "127.0.0.1:4647");
    assertEquals(2, missing.exitCode());
    assertTrue(missing.err().startsWith("Missing required option: '--name=NAME'"), missing.err());
  }

  @Test
  void flagsBecomeTheAgentConfig() {
    var command = new AgentCommand();
    new CommandLine(command).parseArgs("--name", "a1", "--servers", "127.0.0.1:4647, 127.0.0.1:5647", "--data-dir",
        dir.toString(), "--driver", "sim", "--label", "disk=ssd", "--label", "rack = r1", "--cpu", "2000", "--memory", "512");
    AgentConfig config = command.config();
    assertEquals("a1", config.name());
    assertEquals(List.of("127.0.0.1:4647", "127.0.0.1:5647"), config.servers());
    assertEquals(dir, config.dataDir());
    assertEquals("sim", config.driver());
    assertEquals(Map.of("disk", "ssd", "rack", "r1"), config.labels());
    assertEquals(2000, config.cpuMillicores());
    assertEquals(512, config.memoryMiB());

    var defaults = new AgentCommand();
    new CommandLine(defaults).parseArgs("--name", "a2", "--servers", "127.0.0.1:4647");
    AgentConfig d = defaults.config();
    assertEquals(Path.of("gantry-data", "agents", "a2"), d.dataDir());
    assertEquals("docker", d.driver());
    assertEquals(Map.of(), d.labels());
    assertEquals(0, d.cpuMillicores());
  }

  @Test
  void devRefusesBadFlagsBeforeStartingAnything() {
    assertBadInput(Cli.run("dev", "--driver", "podman"), "--driver: must be docker, exec or sim");
    assertBadInput(Cli.run("dev", "--grpc-addr", "nohost"), "--grpc-addr: expected host:port");
  }
}
