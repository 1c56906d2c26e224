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
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
    description = "Gantry: a cluster manager for self-hosted fleets.")
public final class Gantry implements Runnable {
  /**
   * The top-level verbs, in the order {@code gantry --help} lists them, each with the name its
   * {@code @Command} gives it. Building picocli's model of every verb reflects over every command
   * class (about 300 ms, half of a short CLI call), so {@link #main} builds only the verb called.
   */
  private static final Map<String, Class<?>> VERBS = verbs();

  private static Map<String, Class<?>> verbs() {
    // Classes, not constructor references: the JDK 25 ahead-of-time cache's training run crashed
    // (archiveHeapWriter, "Metadata ... should have been archived") with a map of those.
    var verbs = new LinkedHashMap<String, Class<?>>();
    verbs.put("server", ServerCommand.class);
    verbs.put("agent", AgentCommand.class);
    verbs.put("dev", DevCommand.class);
    verbs.put("job", JobCommand.class);
    verbs.put("deployment", DeploymentCommand.class);
    verbs.put("eval", EvalCommand.class);
    verbs.put("alloc", AllocCommand.class);
    verbs.put("node", NodeCommand.class);
    verbs.put("service", ServiceCommand.class);
    verbs.put("operator", OperatorCommand.class);
    verbs.put("events", EventsCommand.class);
    verbs.put("tls", TlsCommand.class);
    verbs.put("acl", AclCommand.class);
    verbs.put("help", CommandLine.HelpCommand.class);
    return Collections.unmodifiableMap(verbs);
  }

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing command");
  }

  /** The command tree with the contract's error handling; tests call {@code execute} on it in-process. */
  public static CommandLine commandLine() {
    return commandLine(VERBS.keySet());
  }

  /**
   * The command tree for {@code args}: when the first argument names a verb (other than help, which
   * lists them all), only that verb's subtree, which parses and runs {@code args} as the whole tree
   * would; otherwise the whole tree (no verb, an option first, an unknown verb and its suggestions).
   */
  static CommandLine commandLineFor(String... args) {
    boolean one = args.length > 0 && VERBS.containsKey(args[0]) && !args[0].equals("help");
    return commandLine(one ? List.of(args[0]) : VERBS.keySet());
  }

  private static CommandLine commandLine(Collection<String> verbs) {
    var cmd = new CommandLine(new Gantry());
    for (String verb : verbs) cmd.addSubcommand(verb, VERBS.get(verb));
    cmd.setExecutionExceptionHandler(new FailureHandler());
    cmd.setParameterExceptionHandler(new UsageErrorHandler());
    return cmd;
  }

  public static void main(String[] args) {
    quietJavaUtilLogging();
    System.exit(commandLineFor(args).execute(args));
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
