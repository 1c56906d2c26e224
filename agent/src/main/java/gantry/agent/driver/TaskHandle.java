package gantry.agent.driver;

import java.time.Instant;
import java.util.Objects;

/**
 * What a driver returns from {@link TaskDriver#start}: enough to find the task again.
 *
 * @param driver the driver's name ({@code docker}, {@code exec}, {@code sim})
 * @param id the driver's own id: a container id, an {@code alloc/task} key, a sim counter
 * @param allocationId the allocation the task belongs to
 * @param taskName the task's name within its group
 * @param startedAt when the task was started, as the driver saw it
 */
public record TaskHandle(String driver, String id, String allocationId, String taskName, Instant startedAt) {
  public TaskHandle {
    Objects.requireNonNull(driver, "driver");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(allocationId, "allocationId");
    Objects.requireNonNull(taskName, "taskName");
    Objects.requireNonNull(startedAt, "startedAt");
  }
}
