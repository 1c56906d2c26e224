package gantry.chaos.cluster;

import com.github.dockerjava.api.DockerClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.testcontainers.containers.GenericContainer;

/** What managers and agents share as containers: start again after a kill, keep the log. */
final class Containers {
  private Containers() {}

  /** Waits until the killed container {@code cid} has stopped, then starts it on the same file system and address. */
  static void startAgain(DockerClient docker, String cid, String name) {
    for (int attempt = 0; ; attempt++) {
      Boolean running = docker.inspectContainerCmd(cid).exec().getState().getRunning();
      if (!Boolean.TRUE.equals(running)) break;
      if (attempt > 100) throw new IllegalStateException(name + " still runs after kill");
      ManagerCluster.sleep(100);
    }
    docker.startContainerCmd(cid).exec();
  }

  /** Writes the container's log to {@code dir}/NAME.log; a log is a courtesy, so failures are ignored. */
  static void saveLog(Path dir, String name, GenericContainer<?> container) {
    try {
      Files.createDirectories(dir);
      if (container.getContainerId() != null) Files.writeString(dir.resolve(name + ".log"), container.getLogs());
    } catch (IOException | RuntimeException e) {
      // the verdicts do not depend on it
    }
  }
}
