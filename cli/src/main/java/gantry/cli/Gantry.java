package gantry.cli;

import gantry.cli.command.AclBootstrapCommand;
import gantry.cli.command.AclCommand;
import gantry.cli.command.AclPolicyCommand;
import gantry.cli.command.AclTokenCommand;
import gantry.cli.command.AgentCommand;
import gantry.cli.command.AllocCommand;
import gantry.cli.command.AllocListCommand;
import gantry.cli.command.AllocLogsCommand;
import gantry.cli.command.AuditCommand;
import gantry.cli.command.DeploymentActionCommand;
import gantry.cli.command.DeploymentCommand;
import gantry.cli.command.DeploymentListCommand;
import gantry.cli.command.DeploymentStatusCommand;
import gantry.cli.command.DevCommand;
import gantry.cli.command.EvalCommand;
import gantry.cli.command.EvalListCommand;
import gantry.cli.command.UsageErrorHandler;
import gantry.cli.command.EventsCommand;
import gantry.cli.command.FailureHandler;
import gantry.cli.command.JobCommand;
import gantry.cli.command.JobHistoryCommand;
import gantry.cli.command.JobListCommand;
import gantry.cli.command.JobRevertCommand;
import gantry.cli.command.JobRunCommand;
import gantry.cli.command.JobScaleCommand;
import gantry.cli.command.JobStatusCommand;
import gantry.cli.command.JobStopCommand;
import gantry.cli.command.NodeCommand;
import gantry.cli.command.NodeDrainCommand;
import gantry.cli.command.NodeListCommand;
import gantry.cli.command.OperatorCommand;
import gantry.cli.command.ServerCommand;
import gantry.cli.command.ServiceCommand;
import gantry.cli.command.ServiceEndpointsCommand;
import gantry.cli.command.ServiceListCommand;
import gantry.cli.command.SystemCommand;
import gantry.cli.command.SystemGcCommand;
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
    verbs.put("system", SystemCommand.class);
    verbs.put("events", EventsCommand.class);
    verbs.put("tls", TlsCommand.class);
    verbs.put("acl", AclCommand.class);
    verbs.put("help", CommandLine.HelpCommand.class);
    return Collections.unmodifiableMap(verbs);
  }

  /**
   * The verbs' sub-verbs, in the order each verb's usage lists them. They are here rather than in
   * the verbs' {@code @Command(subcommands = ...)}: picocli would build every one of them with the
   * verb (reflecting over each one's options, ~20 ms of a 300 ms {@code gantry job ls}), so
   * {@link #main} builds only the sub-verb called. Deeper levels ({@code operator raft peers})
   * stay in their {@code @Command}s.
   */
  private static final Map<String, List<Class<?>>> SUB_VERBS = subVerbs();

  private static Map<String, List<Class<?>>> subVerbs() {
    var subs = new LinkedHashMap<String, List<Class<?>>>();
    subs.put("job", List.of(JobRunCommand.class, JobStatusCommand.class, JobListCommand.class, JobStopCommand.class,
        JobHistoryCommand.class, JobScaleCommand.class, JobRevertCommand.class));
    subs.put("deployment", List.of(DeploymentListCommand.class, DeploymentStatusCommand.class,
        DeploymentActionCommand.Promote.class, DeploymentActionCommand.Fail.class, DeploymentActionCommand.Pause.class,
        DeploymentActionCommand.Resume.class));
    subs.put("eval", List.of(EvalListCommand.class));
    subs.put("alloc", List.of(AllocListCommand.class, AllocLogsCommand.class));
    subs.put("node", List.of(NodeListCommand.class, NodeDrainCommand.class));
    subs.put("service", List.of(ServiceListCommand.class, ServiceEndpointsCommand.class));
    subs.put("operator", List.of(OperatorCommand.Raft.class, OperatorCommand.Snapshot.class, AuditCommand.class));
    subs.put("system", List.of(SystemGcCommand.class));
    subs.put("tls", List.of(TlsCommand.Ca.class, TlsCommand.Cert.class));
    subs.put("acl", List.of(AclBootstrapCommand.class, AclPolicyCommand.class, AclTokenCommand.class));
    return Collections.unmodifiableMap(subs);
  }

  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(spec.commandLine(), "missing command");
  }

  /** The command tree with the contract's error handling; tests call {@code execute} on it in-process. */
  public static CommandLine commandLine() {
    return commandLine(VERBS.keySet(), null);
  }

  /**
   * The command tree for {@code args}: when the first argument names a verb (other than help, which
   * lists them all), only that verb's subtree, which parses and runs {@code args} as the whole tree
   * would; otherwise the whole tree (no verb, an option first, an unknown verb and its suggestions).
   * Of a verb with sub-verbs, likewise: only the sub-verb the second argument names, else all.
   */
  static CommandLine commandLineFor(String... args) {
    boolean one = args.length > 0 && VERBS.containsKey(args[0]) && !args[0].equals("help");
    return one ? commandLine(List.of(args[0]), args.length > 1 ? args[1] : null) : commandLine(VERBS.keySet(), null);
  }

  private static CommandLine commandLine(Collection<String> verbs, String subVerb) {
    var cmd = new CommandLine(new Gantry());
    for (String verb : verbs) cmd.addSubcommand(verb, verb(verb, subVerb));
    // After the whole tree is added: picocli gives the handlers to the subcommands it has then.
    cmd.setExecutionExceptionHandler(new FailureHandler());
    cmd.setParameterExceptionHandler(new UsageErrorHandler());
    return cmd;
  }

  /** The verb's command with its sub-verbs: only the one named {@code called}, if there is one, else all. */
  private static Object verb(String verb, String called) {
    List<Class<?>> subs = SUB_VERBS.get(verb);
    if (subs == null) return VERBS.get(verb);
    var line = new CommandLine(VERBS.get(verb));
    List<Class<?>> named = subs.stream().filter(c -> c.getAnnotation(Command.class).name().equals(called)).toList();
    for (Class<?> sub : named.isEmpty() ? subs : named) line.addSubcommand(sub); // named as its @Command names it
    return line;
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
