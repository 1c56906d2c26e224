package gantry.cli;

import gantry.cli.command.AclCommand;
import gantry.cli.command.AgentCommand;
import gantry.cli.command.AllocCommand;
import gantry.cli.command.DeploymentCommand;
import gantry.cli.command.DevCommand;
import gantry.cli.command.EvalCommand;
import gantry.cli.command.UsageErrorHandler;
import gantry.cli.command.EventsCommand;
import gantry.cli.command.FailureHandler;
import gantry.cli.command.JobCommand;
import gantry.cli.command.NodeCommand;
import gantry.cli.command.OperatorCommand;
import gantry.cli.command.ServerCommand;
import gantry.cli.command.ServiceCommand;
import gantry.cli.command.TlsCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code gantry} executable. Exit codes: 0 success, 1 failed operation, 2 bad usage or input
 * (picocli's own usage errors are already 2).
 */
@Command(name = "gantry", mixinStandardHelpOptions = true, versionProvider = Gantry.Version.class,
    description = "Gantry: a cluster manager for self-hosted fleets.",
    subcommands = {ServerCommand.class, AgentCommand.class, DevCommand.class, JobCommand.class, DeploymentCommand.class, EvalCommand.class, AllocCommand.class,
        NodeCommand.class, ServiceCommand.class, OperatorCommand.class, EventsCommand.class, TlsCommand.class, AclCommand.class,
        CommandLine.HelpCommand.class})
public final class Gantry implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing command");
  }

  /** The command tree with the contract's error handling; tests call {@code execute} on it in-process. */
  public static CommandLine commandLine() {
    var cmd = new CommandLine(new Gantry());
    cmd.setExecutionExceptionHandler(new FailureHandler());
    cmd.setParameterExceptionHandler(new UsageErrorHandler());
    return cmd;
  }

  public static void main(String[] args) {
    quietJavaUtilLogging();
    System.exit(commandLine().execute(args));
  }

  // Ratis' shaded gRPC logs through java.util.logging, not slf4j, and prints INFO lines (epoll
  // detection...) on every start. Keep its warnings; respect a user-supplied logging config.
  private static void quietJavaUtilLogging() {
    if (System.getProperty("java.util.logging.config.file") == null) {
      java.util.logging.Logger.getLogger("").setLevel(java.util.logging.Level.WARNING);
    }
  }

  /** The version from the jar manifest; "dev" when run from classes. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Gantry.class.getPackage().getImplementationVersion();
      return new String[] {"gantry " + (v == null ? "dev" : v)};
    }
  }
}
