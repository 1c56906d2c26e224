package gantry.cli.output;

import gantry.v1.Deployment;
import java.io.PrintWriter;

/**
 * How {@code job run} (and {@code job revert}) show a deployment they follow, told at each poll. On
 * a terminal the frame (one line per group, then the status) is redrawn in place; elsewhere a line
 * is printed only when it changed; with {@code --json} nothing is shown.
 */
public sealed interface ProgressDisplay permits LiveProgress, PlainProgress, ProgressDisplay.Silent {
  /**
   * The deployment as the last poll saw it.
   *
   * @param ended whether the watch stops here: the status line is then left to the caller, which
   *     says how it ended
   */
  void show(Deployment d, boolean ended);

  /** A poll failed in a way that may pass (no manager reachable); {@code message} says so and for how long it retries. */
  void unreachable(String message);

  /** The display for {@code out}: redrawn in place when it is a terminal ({@link Terminal}), plain lines otherwise. */
  static ProgressDisplay of(PrintWriter out, boolean terminal) {
    return terminal ? new LiveProgress(out) : new PlainProgress(out);
  }

  /** Shows nothing: {@code --json} prints one document and lets the exit code speak. */
  static ProgressDisplay silent() {
    return new Silent();
  }

  /** See {@link #silent()}. */
  final class Silent implements ProgressDisplay {
    private Silent() {}

    @Override
    public void show(Deployment d, boolean ended) {}

    @Override
    public void unreachable(String message) {}
  }
}
