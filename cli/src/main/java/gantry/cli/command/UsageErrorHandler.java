package gantry.cli.command;

import picocli.CommandLine;
import java.util.List;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/**
 * Bad usage (an unknown flag, a value of the wrong type, a missing argument or subcommand) exits 2
 * with one line on stderr, like every other failure: the reason and where the usage is. picocli's
 * default prints the whole usage text after the reason, which buries the reason and breaks the
 * contract's one-line promise for scripts that read stderr.
 */
public final class UsageErrorHandler implements IParameterExceptionHandler {
  @Override
  public int handleParseException(ParameterException ex, String[] args) {
    CommandLine cmd = ex.getCommandLine();
    String reason = String.valueOf(ex.getMessage()).strip().replaceAll("\\s*\\R\\s*", " ");
    var err = cmd.getErr();
    err.println(reason + " (" + cmd.getCommandSpec().qualifiedName() + " --help shows the usage)");
    err.flush();
    return Failure.BAD_INPUT;
  }

  /**
   * The usage error of a verb called without one of its sub-verbs: names them as the command tree
   * holds them (a verb called alone is built with all of them, see {@code Gantry}).
   */
  public static ParameterException missingSubcommand(CommandSpec spec) {
    List<String> names = List.copyOf(spec.subcommands().keySet());
    String listed = names.size() < 2 ? String.join("", names)
        : String.join(", ", names.subList(0, names.size() - 1)) + " or " + names.getLast();
    return new ParameterException(spec.commandLine(), "missing subcommand: " + listed);
  }
}
