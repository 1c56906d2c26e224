package gantry.cli.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The JVM flags {@code scripts/gantry} gives a verb, as the launcher's own shell functions print
 * them ({@code scripts/lib/client-jvm.sh} for a client verb, {@code scripts/lib/server-jvm.sh}
 * for a manager): a client starts on C1 and the serial collector, and each starts from the
 * ahead-of-time class cache the launcher keeps next to the jar (JDK 25 and later). Asking for the
 * flags makes the cache when the jar is newer than it (a training run, about 10 s for a client
 * and 15 s for a manager, once per build), with the launcher's lock against training twice.
 *
 * <p>Failsafe turns this on ({@code -Dgantry.it.launcher.flags=true}, with {@code gantry.repo}),
 * so the integration tests start their processes as users do, and the shorter starts (a client
 * call 1.1 -> 0.45 s, a manager to "started" 3.4 -> 1.3 s here) shorten the suite. The benchmarks
 * run the test classes with flags of their own and leave it off. On a JDK older than 25, or
 * after a failed training run, the launcher gives no cache and the verb starts without one, as
 * {@code scripts/gantry} would; a launcher function that fails fails the test that asked.
 */
final class LauncherFlags {
  private static final Map<String, List<String>> BY_FUNCTION = new ConcurrentHashMap<>();

  private LauncherFlags() {}

  /** The launcher's flags for a command line starting with {@code verb}; empty when off. */
  static List<String> of(String verb) {
    if (!Boolean.getBoolean("gantry.it.launcher.flags")) return List.of();
    return switch (verb) {
      case "server" -> BY_FUNCTION.computeIfAbsent("server", v -> ask("server-jvm.sh", "gantry_server_flags"));
      case "agent", "dev" -> List.of();
      default -> BY_FUNCTION.computeIfAbsent("client", v -> ask("client-jvm.sh", "gantry_client_flags"));
    };
  }

  /** Runs {@code function JAR} from {@code scripts/lib/LIB} with this JVM as the launcher's JDK. */
  private static List<String> ask(String lib, String function) {
    String repo = System.getProperty("gantry.repo");
    if (repo == null) throw new IllegalStateException("gantry.it.launcher.flags is set but gantry.repo is not");
    Path scripts = Path.of(repo, "scripts", "lib").toAbsolutePath();
    String script = ". \"$0/jdk.sh\" && gantry_use_jdk >/dev/null && . \"$0/" + lib + "\" && " + function + " \"$1\"";
    try {
      Path out = Files.createTempFile("gantry-launcher-flags", ".txt");
      try {
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script, scripts.toString(), Gantry.jar().toString())
            .redirectOutput(out.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        p.getOutputStream().close();
        // A training run takes about 15 s; the launcher gives up on a manager's within two minutes.
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
          p.destroyForcibly();
          throw new IllegalStateException(function + " did not finish in 180 s");
        }
        String printed = Files.readString(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) throw new IllegalStateException(function + " failed (exit " + p.exitValue() + "): " + printed);
        return Gantry.flags(printed);
      } finally {
        Files.deleteIfExists(out);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
