package gantry.cli.command;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code gantry job ...}: the verbs on jobs. */
@Command(name = "job", description = "Run, inspect and stop jobs.", mixinStandardHelpOptions = true)
public final class JobCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw UsageErrorHandler.missingSubcommand(spec);
  }
}
