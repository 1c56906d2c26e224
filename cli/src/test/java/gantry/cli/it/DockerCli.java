package gantry.cli.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The docker command line, as an operator would check what Gantry did: containers by allocation label. */
final class DockerCli {
  private DockerCli() {}

  /** Container ids of one allocation; {@code all}: stopped ones too. */
  static List<String> containers(String allocId, boolean all) {
    return run(all ? List.of("docker", "ps", "-aq", "--no-trunc", "--filter", "label=gantry.alloc=" + allocId)
        : List.of("docker", "ps", "-q", "--no-trunc", "--filter", "label=gantry.alloc=" + allocId))
        .lines().filter(l -> !l.isBlank()).toList();
  }

  static void kill(String containerId) {
    run(List.of("docker", "kill", containerId));
  }

  /** Removes containers by id, ignoring those already gone. */
  static void remove(List<String> ids) {
    for (String id : ids) {
      try {
        exec(List.of("docker", "rm", "-f", id));
      } catch (RuntimeException e) {
        System.err.println("cleanup: " + e.getMessage());
      }
    }
  }

  /** Removes every container (running or not) of these allocations. */
  static void removeAllOf(List<String> allocIds) {
    for (String a : allocIds) remove(containers(a, true));
  }

  static String run(List<String> cmd) {
    Result r = exec(cmd);
    if (r.exit != 0) throw new IllegalStateException(String.join(" ", cmd) + " exited " + r.exit + ": " + r.out);
    return r.out;
  }

  private record Result(int exit, String out) {}

  private static Result exec(List<String> cmd) {
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException(String.join(" ", cmd) + " did not finish in 60 s");
      }
      return new Result(p.exitValue(), out);
    } catch (IOException e) {
      throw new IllegalStateException("cannot run " + String.join(" ", cmd) + ": " + e.getMessage()
          + " (is Docker installed? scripts/lib/docker.sh)", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
