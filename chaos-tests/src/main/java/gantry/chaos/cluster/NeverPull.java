package gantry.chaos.cluster;

import org.testcontainers.images.ImagePullPolicy;
import org.testcontainers.utility.DockerImageName;

/**
 * There is no registry: images are built locally, never pulled, so a missing image fails
 * at container creation in milliseconds. Named by {@code pull.policy} in
 * testcontainers.properties and set on every container.
 */
public final class NeverPull implements ImagePullPolicy {
  @Override
  public boolean shouldPull(DockerImageName imageName) {
    return false;
  }
}
