package gantry.chaos.cluster;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Drops traffic between containers with iptables rules in the host's DOCKER-USER chain
 * (bridged traffic passes it when br_netfilter is on). Every rule carries a comment with
 * the run id, and only the rules this object inserted are ever deleted. Only addresses of
 * the run's own containers are ever passed in.
 */
public final class Firewall {
  private final String tag;
  private final List<List<String>> rules = new ArrayList<>();
  private final boolean available;

  public Firewall(String runId) {
    this.tag = "gantry-chaos-" + runId;
    this.available = run(List.of("iptables", "-w", "-n", "-L", "DOCKER-USER")) == 0;
  }

  /** False when iptables or the DOCKER-USER chain is missing (not root, or no Docker firewall). */
  public boolean available() {
    return available;
  }

  /** Packets from {@code from} to {@code to} are dropped; the reverse direction still flows. */
  public synchronized void drop(String from, String to) {
    List<String> spec = List.of("DOCKER-USER", "-s", from + "/32", "-d", to + "/32",
        "-m", "comment", "--comment", tag, "-j", "DROP");
    List<String> cmd = new ArrayList<>(List.of("iptables", "-w", "-I"));
    cmd.addAll(spec);
    if (run(cmd) != 0) throw new IllegalStateException("iptables refused: " + String.join(" ", cmd));
    rules.add(spec);
  }

  /** Deletes every rule this firewall inserted. */
  public synchronized void healAll() {
    for (List<String> spec : rules) {
      List<String> cmd = new ArrayList<>(List.of("iptables", "-w", "-D"));
      cmd.addAll(spec);
      run(cmd);
    }
    rules.clear();
  }

  private static int run(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return -1;
      }
      return p.exitValue();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }
}
