package gantry.chaos.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Drops traffic between containers with iptables rules in the host's DOCKER-USER chain
 * (bridged traffic passes it when br_netfilter is on). Every rule carries a comment with
 * the run id and its own number, so its packet counter can be read back (the proof that it
 * is on the packets' path), and only the rules this object inserted are ever deleted. Only
 * addresses of the run's own containers are ever passed in.
 */
public final class Firewall {
  /** One inserted rule: packets from {@code from} to {@code to} are dropped; {@code comment} names it alone. */
  public record Rule(String from, String to, String comment) {
    List<String> spec() {
      return List.of("DOCKER-USER", "-s", from + "/32", "-d", to + "/32", "-m", "comment", "--comment", comment, "-j", "DROP");
    }
  }

  private static final Pattern COUNTED = Pattern.compile("^\\s*(\\d+)\\s+\\d+\\s+DROP\\b.*/\\* (\\S+) \\*/");
  private final String tag;
  private final List<Rule> rules = new ArrayList<>();
  private final boolean available;
  private int next;

  public Firewall(String runId) {
    this.tag = "gantry-chaos-" + runId;
    this.available = run(List.of("iptables", "-w", "-n", "-L", "DOCKER-USER")).exit() == 0;
  }

  /** False when iptables or the DOCKER-USER chain is missing (not root, or no Docker firewall). */
  public boolean available() {
    return available;
  }

  /** Packets from {@code from} to {@code to} are dropped; the reverse direction still flows. */
  public synchronized Rule drop(String from, String to) {
    Rule rule = new Rule(from, to, tag + "#" + (++next));
    List<String> cmd = new ArrayList<>(List.of("iptables", "-w", "-I"));
    cmd.addAll(rule.spec());
    Result r = run(cmd);
    if (r.exit() != 0) throw new IllegalStateException("iptables refused: " + String.join(" ", cmd) + ": " + r.output());
    rules.add(rule);
    return rule;
  }

  /** Packets each of this firewall's rules has dropped so far, by comment; a rule missing from the chain is absent. */
  public synchronized Map<String, Long> dropped() {
    Result r = run(List.of("iptables", "-w", "-n", "-v", "-x", "-L", "DOCKER-USER"));
    if (r.exit() != 0) throw new IllegalStateException("cannot list DOCKER-USER: " + r.output());
    return counters(r.output(), tag);
  }

  /** Parses `iptables -n -v -x -L` output: comment to packet count, for the rules whose comment starts with {@code tag}. */
  static Map<String, Long> counters(String listing, String tag) {
    Map<String, Long> out = new HashMap<>();
    for (String line : listing.split("\n")) {
      Matcher m = COUNTED.matcher(line);
      if (m.find() && m.group(2).startsWith(tag + "#")) out.put(m.group(2), Long.parseLong(m.group(1)));
    }
    return out;
  }

  /**
   * Deletes every rule this firewall inserted and checks that none is left. Returns what
   * went wrong, empty when every rule is gone: a heal that left a rule behind would make
   * every later fault (and the final checks) run on a network that is still cut.
   */
  public synchronized List<String> healAll() {
    List<String> problems = new ArrayList<>();
    for (Rule rule : rules) {
      List<String> delete = new ArrayList<>(List.of("iptables", "-w", "-D"));
      delete.addAll(rule.spec());
      Result r = run(delete);
      List<String> check = new ArrayList<>(List.of("iptables", "-w", "-C"));
      check.addAll(rule.spec());
      // -C exits 1 when no such rule exists: the only proof that the rule is gone.
      if (r.exit() != 0 || run(check).exit() != 1) {
        problems.add("rule " + rule.comment() + " (" + rule.from() + " -> " + rule.to() + ") was not removed: "
            + (r.exit() != 0 ? "iptables -D exit " + r.exit() + " " + r.output().strip() : "still listed after -D"));
      }
    }
    rules.clear();
    return problems;
  }

  private record Result(int exit, String output) {}

  private static Result run(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      byte[] out = p.getInputStream().readAllBytes();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return new Result(-1, "timed out");
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
    } catch (IOException e) {
      return new Result(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted");
    }
  }
}
