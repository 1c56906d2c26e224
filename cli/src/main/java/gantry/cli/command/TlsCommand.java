package gantry.cli.command;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code gantry tls ...}: the cluster's certificates, made locally (no manager is asked). */
@Command(name = "tls", description = "Create the cluster's CA and the certificates of managers, agents and users.",
    mixinStandardHelpOptions = true)
public final class TlsCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw UsageErrorHandler.missingSubcommand(spec);
  }

  /** {@code gantry tls ca ...}. */
  @Command(name = "ca", description = "The cluster's certificate authority.", mixinStandardHelpOptions = true,
      subcommands = TlsCaCreateCommand.class)
  public static final class Ca implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
      throw UsageErrorHandler.missingSubcommand(spec);
    }
  }

  /** {@code gantry tls cert ...}. */
  @Command(name = "cert", description = "Certificates signed by the cluster's CA.", mixinStandardHelpOptions = true,
      subcommands = TlsCertCreateCommand.class)
  public static final class Cert implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
      throw UsageErrorHandler.missingSubcommand(spec);
    }
  }
}
