package gantry.cli.command;

import picocli.CommandLine.Option;

/** The flag of the verbs that register a job version and then follow its deployment ({@code job run}, {@code job revert}). */
public final class FollowOptions {
  @Option(names = "--detach", description = "Return once the job is registered, without waiting for the deployment"
      + " (which goes on; see gantry deployment status).")
  boolean detach;

  boolean detach() {
    return detach;
  }
}
