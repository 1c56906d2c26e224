package gantry.cli.command;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code gantry acl ...}: ACL tokens and policies (managers started with --acl). */
@Command(name = "acl", description = "Bootstrap ACLs; apply, list and delete policies; create, list and revoke tokens.",
    mixinStandardHelpOptions = true)
public final class AclCommand implements Runnable {
  @Spec
  CommandSpec spec;

  @Override
  public void run() {
    throw UsageErrorHandler.missingSubcommand(spec);
  }
}
