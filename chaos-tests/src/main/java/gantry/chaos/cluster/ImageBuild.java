package gantry.chaos.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs scripts/lib/gantry-image.sh, which rebuilds the manager image only when the jar
 * changed, then scripts/lib/chaos-image.sh, which adds lossyfs on top (again only when
 * something changed). Managers and agents run the chaos image.
 */
public final class ImageBuild {
  private ImageBuild() {}

  /** @return the chaos image's name */
  public static String ensure(Path repo) throws IOException, InterruptedException {
    String base = script(repo, "scripts/lib/gantry-image.sh");
    return script(repo, "scripts/lib/chaos-image.sh", "--base", base);
  }

  /** Runs a build script; returns the last line it printed on stdout. */
  private static String script(Path repo, String name, String... args) throws IOException, InterruptedException {
    Path script = repo.resolve(name);
    if (!Files.isRegularFile(script)) throw new IOException("no " + script + ": pass the repository root");
    List<String> cmd = new ArrayList<>(List.of("bash", script.toString()));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd)
        .directory(repo.toFile())
        .redirectError(ProcessBuilder.Redirect.INHERIT)
        .start();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(5, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IOException(script + " did not finish within 5 minutes");
    }
    String image = new String(out, StandardCharsets.UTF_8).strip();
    if (p.exitValue() != 0 || image.isEmpty()) {
      throw new IOException(script + " failed (exit " + p.exitValue() + "); is cli/target/gantry.jar built?");
    }
    return image.lines().reduce((a, b) -> b).orElseThrow();
  }
}
