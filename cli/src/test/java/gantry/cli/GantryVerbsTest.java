package gantry.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The tree main builds for one verb is that verb's part of the whole tree. */
class GantryVerbsTest {
  @Test
  void eachVerbAloneHasTheWholeTreesUsage() {
    var whole = Gantry.commandLine();
    for (var verb : whole.getSubcommands().entrySet()) {
      if (verb.getKey().equals("help")) continue;
      var alone = Gantry.commandLineFor(verb.getKey(), "--help");
      assertEquals(List.of(verb.getKey()), List.copyOf(alone.getSubcommands().keySet()));
      assertEquals(verb.getValue().getUsageMessage(), alone.getSubcommands().get(verb.getKey()).getUsageMessage());
    }
  }

  @Test
  void eachSubVerbAloneHasTheWholeTreesUsage() {
    int subVerbs = 0;
    for (var verb : Gantry.commandLine().getSubcommands().entrySet()) {
      for (var sub : verb.getValue().getSubcommands().entrySet()) {
        var alone = Gantry.commandLineFor(verb.getKey(), sub.getKey(), "--help").getSubcommands().get(verb.getKey());
        assertEquals(List.of(sub.getKey()), List.copyOf(alone.getSubcommands().keySet()), verb.getKey());
        assertEquals(sub.getValue().getUsageMessage(), alone.getSubcommands().get(sub.getKey()).getUsageMessage(),
            verb.getKey() + " " + sub.getKey());
        subVerbs++;
      }
    }
    assertEquals(29, subVerbs);
  }

  @Test
  void aVerbWithoutAKnownSubVerbHasThemAll() {
    var jobs = List.of("run", "status", "ls", "stop", "history", "scale", "revert");
    for (String[] args : new String[][] {{"job"}, {"job", "--help"}, {"job", "lss"}, {"help", "job"}}) {
      assertEquals(jobs, List.copyOf(Gantry.commandLineFor(args).getSubcommands().get("job").getSubcommands().keySet()),
          String.join(" ", args));
    }
    assertEquals(2, Cli.run("job", "lss").exitCode());
  }

  @Test
  void aVerbWithoutASubVerbNamesThemAllAsItsUsageDoes() {
    var job = Cli.run("job");
    assertEquals(2, job.exitCode());
    assertTrue(job.err().startsWith("missing subcommand: run, status, ls, stop, history, scale or revert (gantry job --help"),
        job.err());
    var raft = Cli.run("operator", "raft");
    assertEquals(2, raft.exitCode());
    assertTrue(raft.err().startsWith("missing subcommand: peers or transfer-leader (gantry operator raft --help"), raft.err());
  }

  @Test
  void eachVerbIsNamedAsItsCommandNamesItself() {
    Gantry.commandLine().getSubcommands().forEach((name, sub) ->
        assertEquals(name, sub.getCommandSpec().userObject().getClass().getAnnotation(Command.class).name()));
  }

  @Test
  void noVerbHelpAndUnknownWordsGetTheWholeTree() {
    var all = List.copyOf(Gantry.commandLine().getSubcommands().keySet());
    assertEquals(List.of("server", "agent", "dev", "job", "deployment", "eval", "alloc", "node", "service", "operator", "system",
        "events", "tls", "acl", "help"), all);
    for (String[] args : new String[][] {{}, {"help", "job"}, {"--version"}, {"jobs", "ls"}}) {
      assertEquals(all, List.copyOf(Gantry.commandLineFor(args).getSubcommands().keySet()), String.join(" ", args));
    }
  }

  @Test
  void anUnknownVerbIsAUsageError() {
    assertEquals(2, Cli.run("jobs", "ls").exitCode());
    assertEquals(CommandLine.ExitCode.USAGE, Cli.run("jobs").exitCode());
  }
}
