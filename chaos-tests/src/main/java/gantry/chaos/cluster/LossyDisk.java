package gantry.chaos.cluster;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.model.Capability;
import com.github.dockerjava.api.model.Device;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;

/**
 * A manager's data directory on lossyfs (chaos-tests/src/main/c/lossyfs.c, in the chaos
 * image): a FUSE file system that holds written data in its own memory until the file is
 * fsynced. Killing the container kills lossyfs too, so what was not fsynced is gone, as it
 * is from a machine that loses power. The container needs {@code /dev/fuse} and
 * CAP_SYS_ADMIN (to mount); its launcher, {@code lossy-run}, mounts lossyfs over
 * {@code /data} (backed by {@code /lossy/backing} in the container's own file system) and
 * then execs the image's own entry point.
 */
public final class LossyDisk {
  static final String LAUNCHER = "/opt/chaos/lossy-run";
  static final String MOUNT = "/data";

  private LossyDisk() {}

  /** Why managers cannot run on lossyfs with {@code image} on this machine, or empty when they can. */
  public static String unavailable(DockerClient docker, String image) {
    if (!Files.exists(Path.of("/dev/fuse"))) return "the host has no /dev/fuse (the fuse kernel module is not loaded)";
    var labels = docker.inspectImageCmd(image).exec().getConfig().getLabels();
    String label = labels == null ? null : labels.get("gantry.chaos.lossyfs");
    if (label == null) return "image " + image + " has no lossyfs (build it with scripts/lib/chaos-image.sh)";
    return label.equals("yes") ? "" : label.replaceFirst("^no:", "");
  }

  /** Runs the image's entry point under lossy-run, with the device and capability FUSE needs. */
  static void mountUnder(CreateContainerCmd cmd, DockerClient docker, String image) {
    List<String> entry = new ArrayList<>(List.of(LAUNCHER, MOUNT));
    entry.addAll(List.of(docker.inspectImageCmd(image).exec().getConfig().getEntrypoint()));
    cmd.withEntrypoint(entry);
    cmd.getHostConfig().withDevices(Device.parse("/dev/fuse")).withCapAdd(Capability.SYS_ADMIN);
  }

  /**
   * Freezes the container's main process (SIGSTOP from the host: inside its namespace it is
   * init and ignores signals it does not handle), then has lossyfs write out and fsync what it
   * holds. A kill that follows is then a process crash, not a power loss: what the process
   * wrote survives, as it would in the kernel's page cache.
   *
   * @return why the data could not be written out (the kill is then a power loss), or empty
   */
  static String flushFrozen(DockerClient docker, GenericContainer<?> container) {
    Long pid = docker.inspectContainerCmd(container.getContainerId()).exec().getState().getPidLong();
    if (pid == null || pid <= 0) return "the container does not run";
    try {
      Process stop = new ProcessBuilder("kill", "-STOP", String.valueOf(pid)).redirectErrorStream(true).start();
      if (!stop.waitFor(10, TimeUnit.SECONDS) || stop.exitValue() != 0) return "could not SIGSTOP pid " + pid;
      ExecResult r = container.execInContainer("/bin/cat", MOUNT + "/.lossyfs-flush");
      return r.getExitCode() == 0 && r.getStdout().contains("flushed") ? ""
          : "lossyfs did not write out what it held: exit " + r.getExitCode() + " " + r.getStderr().strip();
    } catch (IOException | RuntimeException e) {
      return "lossyfs did not write out what it held: " + e;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }
}
