package gantry.cli.output;

import gantry.v1.Deployment;
import gantry.v1.DeploymentStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What one poll of a followed deployment shows: a progress line per group, by group name, and the
 * status line while the deployment goes on (a paused one says how to resume it). Both displays
 * build the same frame, so the terminal and a log read the same words.
 */
record ProgressFrame(Map<String, String> groups, Optional<String> status) {
  static ProgressFrame of(Deployment d, boolean ended) {
    Map<String, String> groups = new LinkedHashMap<>();
    DeploymentViews.groups(d).forEach((name, g) -> groups.put(name, DeploymentViews.progress(name, g)));
    return new ProgressFrame(groups, ended ? Optional.empty() : Optional.of(status(d)));
  }

  /** The same groups with another status line (why the counts are not moving: no manager answers). */
  ProgressFrame withStatus(String line) {
    return new ProgressFrame(groups, Optional.of(line));
  }

  List<String> lines() {
    List<String> lines = new ArrayList<>(groups.values());
    status.ifPresent(lines::add);
    return lines;
  }

  private static String status(Deployment d) {
    String line = DeploymentViews.statusLine(d);
    if (d.getStatus() == DeploymentStatus.DEPLOYMENT_STATUS_BLOCKED) {
      // The watch goes on through a blocked deployment only when the managers promote it themselves.
      return line + " (canaries healthy; auto_promote promotes them)";
    }
    return DeploymentViews.nextCommand(d).map(c -> line + " (resume with: " + c + ")").orElse(line);
  }
}
