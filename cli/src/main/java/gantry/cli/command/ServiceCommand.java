package gantry.cli.command;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code gantry service ...}: the services tasks declare and their endpoints. */
@Command(name = "service", description = "List services and their endpoints.", mixinStandardHelpOptions = true)
public final class ServiceCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw UsageErrorHandler.missingSubcommand(spec);
  }
}
