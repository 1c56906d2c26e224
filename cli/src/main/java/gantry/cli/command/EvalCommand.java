package gantry.cli.command;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code gantry eval ...}: why the scheduler ran for a job, and what came of it. */
@Command(name = "eval", description = "Inspect evaluations (the scheduler's runs for a job).",
    mixinStandardHelpOptions = true)
public final class EvalCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw UsageErrorHandler.missingSubcommand(spec);
  }
}
