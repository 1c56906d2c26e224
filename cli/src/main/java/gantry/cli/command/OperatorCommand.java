package gantry.cli.command;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code gantry operator ...}: cluster maintenance. */
@Command(name = "operator", description = "Inspect and maintain the manager cluster.", mixinStandardHelpOptions = true)
public final class OperatorCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw UsageErrorHandler.missingSubcommand(spec);
  }

  /** {@code gantry operator raft ...}. */
  @Command(name = "raft", description = "The Raft group of the managers.", mixinStandardHelpOptions = true,
      subcommands = {RaftPeersCommand.class, RaftTransferLeaderCommand.class})
  public static final class Raft implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
      throw UsageErrorHandler.missingSubcommand(spec);
    }
  }

  /** {@code gantry operator snapshot ...}: backups of the replicated state. */
  @Command(name = "snapshot", description = "Save the cluster's state to a file, or restore it from one.",
      mixinStandardHelpOptions = true, subcommands = {SnapshotSaveCommand.class, SnapshotRestoreCommand.class})
  public static final class Snapshot implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
      throw UsageErrorHandler.missingSubcommand(spec);
    }
  }
}
