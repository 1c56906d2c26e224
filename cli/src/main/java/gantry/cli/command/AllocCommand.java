package gantry.cli.command;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code gantry alloc ...}: the verbs on allocations (placed instances of a job's groups). */
@Command(name = "alloc", description = "Inspect allocations.", mixinStandardHelpOptions = true)
public final class AllocCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw UsageErrorHandler.missingSubcommand(spec);
  }
}
