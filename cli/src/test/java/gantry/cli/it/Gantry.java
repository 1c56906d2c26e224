package gantry.cli.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the gantry jar as a user would: a separate process, with its exit code and output. */
final class Gantry {
  record Result(int exit, String stdout, String stderr) {}

  private Gantry() {}

  static Path jar() {
    String jar = System.getProperty("gantry.jar");
    if (jar == null) throw new IllegalStateException("system property gantry.jar is not set (failsafe sets it)");
    return Path.of(jar);
  }

  static List<String> command(String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    if (Runtime.version().feature() >= 24) {
      cmd.add("--enable-native-access=ALL-UNNAMED");
      cmd.add("--sun-misc-unsafe-memory-access=allow");
    }
    // Tests run small processes; a benchmark that measures what the launcher starts replaces these
    // with -Dgantry.it.jvm.base= (empty: the JVM's defaults, as scripts/gantry gives a manager).
    addAll(cmd, System.getProperty("gantry.it.jvm.base", "-XX:+UseSerialGC -Xmx256m"));
    // In the integration tests, also the launcher's flags for the verb (its class caches).
    cmd.addAll(LauncherFlags.of(args.length == 0 ? "" : args[0]));
    // Benchmarks give the processes more room (later flags win): -Dgantry.it.jvm.options="-Xmx2g ..."
    addAll(cmd, System.getProperty("gantry.it.jvm.options", ""));
    cmd.add("-jar");
    cmd.add(jar().toString());
    cmd.addAll(List.of(args));
    return cmd;
  }

  private static void addAll(List<String> cmd, String flags) {
    cmd.addAll(flags(flags));
  }

  /** JVM flags given as one string (a system property's value), split on white space. */
  static List<String> flags(String flags) {
    List<String> out = new ArrayList<>();
    for (String o : flags.trim().split("\\s+")) {
      if (!o.isEmpty()) out.add(o);
    }
    return out;
  }

  /** {@link #run} against the managers at {@code addresses} (host:port,...), as --address. */
  static Result runAt(String addresses, String... args) throws IOException, InterruptedException {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--address");
    all.add(addresses);
    return run(all.toArray(String[]::new));
  }

  /** The command's output; a failed command fails the test with its exit code and output. */
  static String ok(Result r) {
    if (r.exit() != 0) throw new AssertionError("exit " + r.exit() + ": " + r.stderr() + r.stdout());
    return r.stdout();
  }

  static Result run(String... args) throws IOException, InterruptedException {
    Path err = java.nio.file.Files.createTempFile("gantry-stderr", ".txt");
    try {
      Process p = new ProcessBuilder(command(args)).redirectError(err.toFile()).start();
      p.getOutputStream().close();
      var out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("gantry " + String.join(" ", args) + " did not finish in 60 s");
      }
      return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), java.nio.file.Files.readString(err));
    } finally {
      java.nio.file.Files.deleteIfExists(err);
    }
  }
}
