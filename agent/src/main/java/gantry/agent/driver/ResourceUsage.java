package gantry.agent.driver;

/**
 * One sample of a task's resource use.
 *
 * @param cpuPercent CPU use in percent of one core (200 = two cores busy)
 * @param memoryMiB resident memory in MiB
 */
public record ResourceUsage(double cpuPercent, double memoryMiB) {
  public ResourceUsage {
    if (cpuPercent < 0 || Double.isNaN(cpuPercent)) {
      throw new IllegalArgumentException("cpuPercent must be >= 0, got " + cpuPercent);
    }
    if (memoryMiB < 0 || Double.isNaN(memoryMiB)) {
      throw new IllegalArgumentException("memoryMiB must be >= 0, got " + memoryMiB);
    }
  }

  public static final ResourceUsage NONE = new ResourceUsage(0, 0);
}
