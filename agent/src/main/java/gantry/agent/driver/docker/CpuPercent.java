package gantry.agent.driver.docker;

/**
 * Docker's CPU percentage from two cumulative samples, as {@code docker stats} computes it:
 * the container's share of all host CPU time in the interval, times the online CPUs.
 * 100 = one core busy.
 */
final class CpuPercent {
  private CpuPercent() {}

  /**
   * @param totalNow container CPU time now (ns)
   * @param totalPrev container CPU time at the previous sample (ns)
   * @param systemNow host CPU time now (ns, summed over CPUs)
   * @param systemPrev host CPU time at the previous sample
   * @param onlineCpus CPUs online on the host
   */
  static double of(long totalNow, long totalPrev, long systemNow, long systemPrev, long onlineCpus) {
    long cpuDelta = totalNow - totalPrev;
    long systemDelta = systemNow - systemPrev;
    if (cpuDelta <= 0 || systemDelta <= 0 || onlineCpus <= 0) {
      return 0.0;
    }
    return (double) cpuDelta / systemDelta * onlineCpus * 100.0;
  }
}
