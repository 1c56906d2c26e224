package gantry.chaos.fleet;

import gantry.chaos.checker.AllocationChecker.Sample;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Samples, on its own thread every {@code period}, which allocation runs on which agent
 * (a {@link HostProcesses} scan), stamped with the run clock, until {@link #stop()}.
 */
public final class FleetSampler implements Runnable {
  private final HostProcesses host;
  private final Supplier<Map<String, String>> containers;
  private final String job;
  private final LongSupplier clock;
  private final Duration period;
  private final List<Sample> samples = new ArrayList<>();
  private volatile boolean stopped;
  private volatile String error = "";

  public FleetSampler(HostProcesses host, Supplier<Map<String, String>> containers, String job, LongSupplier clock,
      Duration period) {
    this.host = host;
    this.containers = containers;
    this.job = job;
    this.clock = clock;
    this.period = period;
  }

  @Override
  public void run() {
    while (!stopped) {
      try {
        sampleNow();
        Thread.sleep(period.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        error = e.toString();
        return;
      }
    }
  }

  /** Takes one sample now and returns it. */
  public Sample sampleNow() {
    long at = clock.getAsLong();
    Sample s = new Sample(at, host.scan(containers.get(), job));
    synchronized (samples) {
      samples.add(s);
    }
    return s;
  }

  public void stop() {
    stopped = true;
  }

  public List<Sample> samples() {
    synchronized (samples) {
      return List.copyOf(samples);
    }
  }

  /** Why sampling broke off, or empty. */
  public String error() {
    return error;
  }
}
