package gantry.cli.command;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code gantry node ...}: the verbs on worker nodes (agents). */
@Command(name = "node", description = "List and drain worker nodes.", mixinStandardHelpOptions = true)
public final class NodeCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw UsageErrorHandler.missingSubcommand(spec);
  }
}
