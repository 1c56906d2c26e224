package gantry.chaos.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs scripts/lib/gantry-image.sh, which rebuilds the manager image only when the jar changed. */
public final class ImageBuild {
  private ImageBuild() {}

  /** @return the image name the script printed */
  public static String ensure(Path repo) throws IOException, InterruptedException {
    Path script = repo.resolve("scripts/lib/gantry-image.sh");
    if (!Files.isRegularFile(script)) throw new IOException("no " + script + ": pass the repository root");
    Process p = new ProcessBuilder("bash", script.toString())
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
