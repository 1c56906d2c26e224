package gantry.cli.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Agents as separate processes ({@code java -jar gantry.jar agent}), each with its own data
 * directory and log file, so a test can SIGKILL one and start it again on the same directory.
 * {@link #close()} kills them all; their containers are the test's to remove.
 */
final class AgentProcesses implements AutoCloseable {
  /** @param extra more flags; a --cpu or --memory among them replaces the default 4000 / 4096 */
  record Spec(String name, String servers, String driver, Map<String, String> labels, List<String> extra) {}

  private final Path root;
  private final Path logs;
  private final Map<String, Spec> specs = new LinkedHashMap<>();
  private final Map<String, Process> running = new LinkedHashMap<>();

  AgentProcesses(Path root, Path logs) throws IOException {
    this.root = root;
    this.logs = logs;
    Files.createDirectories(root);
    Files.createDirectories(logs);
  }

  /** Starts agent {@code name} (or starts it again with the same flags and data dir). */
  synchronized void start(String name, String servers, String driver, Map<String, String> labels) throws IOException {
    start(name, servers, driver, labels, List.of());
  }

  synchronized void start(String name, String servers, String driver, Map<String, String> labels, List<String> extra)
      throws IOException {
    specs.put(name, new Spec(name, servers, driver, Map.copyOf(labels), List.copyOf(extra)));
    start(name);
  }

  synchronized void start(String name) throws IOException {
    Spec s = specs.get(name);
    if (running.containsKey(name)) throw new IllegalStateException("agent " + name + " already runs");
    List<String> args = new ArrayList<>(List.of("agent", "--name", name, "--servers", s.servers(),
        "--data-dir", dataDir(name).toString(), "--driver", s.driver()));
    if (!s.extra().contains("--cpu")) args.addAll(List.of("--cpu", "4000"));
    if (!s.extra().contains("--memory")) args.addAll(List.of("--memory", "4096"));
    args.addAll(s.extra());
    s.labels().forEach((k, v) -> {
      args.add("--label");
      args.add(k + "=" + v);
    });
    Process p = new ProcessBuilder(Gantry.command(args.toArray(String[]::new))).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log(name).toFile())).start();
    p.getOutputStream().close();
    running.put(name, p);
  }

  Path dataDir(String name) {
    return root.resolve(name);
  }

  Path log(String name) {
    return logs.resolve("agent-" + name + ".log");
  }

  String logText(String name) throws IOException {
    return Files.exists(log(name)) ? Files.readString(log(name)) : "";
  }

  /** SIGKILL: no shutdown hook runs; the agent's containers and processes keep running. */
  synchronized void kill(String name) throws InterruptedException {
    Process p = running.remove(name);
    if (p == null) return;
    p.destroyForcibly();
    if (!p.waitFor(20, TimeUnit.SECONDS)) throw new AssertionError("agent " + name + " survived SIGKILL for 20 s");
  }

  synchronized boolean isRunning(String name) {
    Process p = running.get(name);
    return p != null && p.isAlive();
  }

  @Override
  public synchronized void close() throws InterruptedException {
    for (String name : List.copyOf(running.keySet())) kill(name);
  }
}
