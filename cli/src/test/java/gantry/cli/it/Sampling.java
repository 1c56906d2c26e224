package gantry.cli.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a sample every 200 ms on its own thread until stopped: what the deployment ITs watch
 * throughout an update (replicas running, answering, waiting for health). A sample that throws
 * (a read during a restart) is counted, not fatal.
 */
final class Sampling implements AutoCloseable {
  private final AtomicBoolean stop = new AtomicBoolean();
  private final Thread thread;
  private final List<Throwable> errors = new ArrayList<>();
  private volatile int samples;

  Sampling(Runnable sample) {
    thread = Thread.ofPlatform().daemon().start(() -> {
      while (!stop.get()) {
        try {
          sample.run();
          samples++;
          Thread.sleep(200);
        } catch (InterruptedException e) {
          return;
        } catch (RuntimeException e) {
          synchronized (errors) {
            errors.add(e);
          }
        }
      }
    });
  }

  /**
   * Stops, and checks the sampler ran: at least 3 samples (a failed update can be over in two
   * seconds, and a sample that probes every replica takes a while), fewer than 5 failed reads.
   */
  void stop() throws InterruptedException {
    close();
    synchronized (errors) {
      assertTrue(errors.size() < 5, "the sampler could read the allocations: " + errors);
    }
    assertTrue(samples >= 3, "the sampler ran throughout: " + samples + " samples");
  }

  int samples() {
    return samples;
  }

  @Override
  public void close() throws InterruptedException {
    stop.set(true);
    thread.join();
  }
}
