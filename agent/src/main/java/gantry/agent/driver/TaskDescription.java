package gantry.agent.driver;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Everything a driver needs to start one task of one allocation. Immutable; built from the
 * allocation the managers sent, never edited by a driver.
 *
 * @param allocationId the allocation this task belongs to (drivers label/persist by it)
 * @param job the job's name
 * @param group the task group's name
 * @param taskName the task's name, unique within the allocation
 * @param image the container image (docker only; must exist locally)
 * @param command the command and its arguments; empty = the image's default (docker only)
 * @param env environment variables added for the task
 * @param cpuMillicores CPU limit, 1000 = one core; 0 = no limit
 * @param memoryMiB memory limit in MiB; 0 = no limit
 * @param ports host ports to publish (docker only)
 * @param labels extra labels (docker); the driver adds its own {@code gantry.*} labels
 * @param workingDir working directory: for exec relative to the task directory (null = the
 *     task directory itself); for docker a path inside the container (null = the image's)
 */
public record TaskDescription(
    String allocationId,
    String job,
    String group,
    String taskName,
    String image,
    List<String> command,
    Map<String, String> env,
    int cpuMillicores,
    int memoryMiB,
    List<PortMapping> ports,
    Map<String, String> labels,
    String workingDir) {

  /** Ids and names become container names and directory names: keep them to a safe alphabet. */
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

  public TaskDescription {
    checkName("allocationId", allocationId);
    checkName("job", job);
    checkName("group", group);
    checkName("taskName", taskName);
    command = List.copyOf(Objects.requireNonNullElse(command, List.of()));
    env = Map.copyOf(Objects.requireNonNullElse(env, Map.of()));
    ports = List.copyOf(Objects.requireNonNullElse(ports, List.of()));
    labels = Map.copyOf(Objects.requireNonNullElse(labels, Map.of()));
    if (cpuMillicores < 0) {
      throw new IllegalArgumentException("cpuMillicores must be >= 0, got " + cpuMillicores);
    }
    if (memoryMiB < 0) {
      throw new IllegalArgumentException("memoryMiB must be >= 0, got " + memoryMiB);
    }
    for (String key : env.keySet()) {
      if (key.isEmpty() || key.contains("=")) {
        throw new IllegalArgumentException("env name must be non-empty without '=': '" + key + "'");
      }
    }
  }

  private static void checkName(String field, String value) {
    if (value == null || !NAME.matcher(value).matches()) {
      throw new IllegalArgumentException(
          field + " must match " + NAME.pattern() + ", got " + (value == null ? "null" : "'" + value + "'"));
    }
  }

  public static Builder builder(String allocationId, String taskName) {
    return new Builder(allocationId, taskName);
  }

  /** Builds a description; job and group default to the task name. */
  public static final class Builder {
    private final String allocationId;
    private final String taskName;
    private String job;
    private String group;
    private String image;
    private final List<String> command = new ArrayList<>();
    private final Map<String, String> env = new LinkedHashMap<>();
    private int cpuMillicores;
    private int memoryMiB;
    private final List<PortMapping> ports = new ArrayList<>();
    private final Map<String, String> labels = new LinkedHashMap<>();
    private String workingDir;

    private Builder(String allocationId, String taskName) {
      this.allocationId = allocationId;
      this.taskName = taskName;
    }

    public Builder job(String job) { this.job = job; return this; }
    public Builder group(String group) { this.group = group; return this; }
    public Builder image(String image) { this.image = image; return this; }
    public Builder command(String... argv) { command.clear(); command.addAll(List.of(argv)); return this; }
    public Builder env(String name, String value) { env.put(name, value); return this; }
    public Builder cpu(int millicores) { this.cpuMillicores = millicores; return this; }
    public Builder memory(int mib) { this.memoryMiB = mib; return this; }
    public Builder port(int hostPort, int containerPort) { ports.add(PortMapping.tcp(hostPort, containerPort)); return this; }
    public Builder label(String key, String value) { labels.put(key, value); return this; }
    public Builder workingDir(String dir) { this.workingDir = dir; return this; }

    public TaskDescription build() {
      String j = job == null ? taskName : job;
      String g = group == null ? taskName : group;
      return new TaskDescription(allocationId, j, g, taskName, image, command, env,
          cpuMillicores, memoryMiB, ports, labels, workingDir);
    }
  }
}
