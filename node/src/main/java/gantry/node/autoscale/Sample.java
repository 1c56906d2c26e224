package gantry.node.autoscale;

import gantry.v1.Allocation;
import gantry.v1.AllocationMetrics;

/**
 * One report of one allocation's use, with what the allocation reserves, as the leader received
 * it. The reservation travels with each sample so utilization needs no lookup at decision time.
 *
 * @param group the group's key, {@link #groupKey(String, String)}
 * @param receivedMs the leader's clock when the report arrived (agents' clocks are not trusted)
 */
public record Sample(String allocationId, String group, long receivedMs, double cpuMillicores, long memoryMiB,
    long reservedCpuMillicores, long reservedMemoryMiB) {

  /** From an agent's report: {@code cpu_percent} counts 100 per core, so millicores = percent × 10. */
  public static Sample of(Allocation allocation, AllocationMetrics metrics, long receivedMs) {
    return new Sample(allocation.getId(), groupKey(allocation.getJob(), allocation.getGroup()), receivedMs,
        metrics.getCpuPercent() * 10, metrics.getMemoryMb(), allocation.getResources().getCpu(),
        allocation.getResources().getMemory());
  }

  public static String groupKey(String job, String group) {
    return job + "/" + group;
  }

  /** Use in percent of the reserved CPU; above 100 when the allocation bursts past it (CPU is not capped). */
  public double cpuPercent() {
    return cpuMillicores * 100 / reservedCpuMillicores;
  }

  public double memoryPercent() {
    return memoryMiB * 100.0 / reservedMemoryMiB;
  }

  /** A reservation of nothing gives no percentage; the validator refuses it, an old stored job might not. */
  boolean measurable() {
    return reservedCpuMillicores > 0 && reservedMemoryMiB > 0;
  }
}
