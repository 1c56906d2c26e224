package gantry.cli.command;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code gantry deployment ...}: the roll-outs of job versions, and an operator's hand on them. */
@Command(name = "deployment", description = "Inspect and steer deployments (the roll-out of a job version).",
    mixinStandardHelpOptions = true)
public final class DeploymentCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw UsageErrorHandler.missingSubcommand(spec);
  }
}
