package gantry.cli.command;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code gantry system ...}: cluster-wide housekeeping (Nomad's {@code nomad system}). */
@Command(name = "system", description = "Cluster-wide housekeeping.", mixinStandardHelpOptions = true)
public final class SystemCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw UsageErrorHandler.missingSubcommand(spec);
  }
}
