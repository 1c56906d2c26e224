package gantry.cli.output;

import gantry.v1.Deployment;
import java.io.PrintWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Progress as plain lines, for output that is not a terminal (pipes, files, CI, tests): a group's
 * line is printed when its counts changed, the status line when the status or its description did.
 * Polls that changed nothing print nothing, so a log shows each step once.
 */
final class PlainProgress implements ProgressDisplay {
  private final PrintWriter out;
  private final Map<String, String> shownGroups = new HashMap<>();
  private String shownStatus;

  PlainProgress(PrintWriter out) {
    this.out = out;
  }

  @Override
  public void show(Deployment d, boolean ended) {
    var frame = ProgressFrame.of(d, ended);
    frame.groups().forEach((group, line) -> {
      if (!line.equals(shownGroups.put(group, line))) out.println(line);
    });
    frame.status().ifPresent(this::status);
    out.flush();
  }

  @Override
  public void unreachable(String message) {
    status(message);
    out.flush();
  }

  private void status(String line) {
    if (Objects.equals(line, shownStatus)) return;
    out.println(line);
    shownStatus = line;
  }
}
