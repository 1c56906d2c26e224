package gantry.chaos.fleet;

import gantry.chaos.cluster.ManagerCluster;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The fleet's workload: until the deadline, every {@code period} it scales the fleet job
 * between its first count and two more, through one manager at a time (the next one after
 * a failure), as an operator would, and reads the job back (which version is in force).
 * {@link FleetJob} records each change and read for the checker.
 */
public final class FleetScaler implements Runnable {
  private final FleetJob job;
  private final ManagerCluster cluster;
  private final LongSupplier clock;
  private final long untilNanos;
  private final Duration period;

  public FleetScaler(FleetJob job, ManagerCluster cluster, LongSupplier clock, long untilNanos, Duration period) {
    this.job = job;
    this.cluster = cluster;
    this.clock = clock;
    this.untilNanos = untilNanos;
    this.period = period;
  }

  @Override
  public void run() {
    int round = 0;
    int peer = 0;
    while (clock.getAsLong() + period.toNanos() < untilNanos) {
      try {
        Thread.sleep(period.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
      int replicas = ++round % 2 == 1 ? job.count() + 2 : job.count();
      if (!job.scale(cluster, cluster.ids().get(peer % cluster.ids().size()), replicas, clock)) peer++;
      if (!job.read(cluster, cluster.ids().get(peer % cluster.ids().size()), clock)) peer++;
    }
  }
}
