package gantry.agent.runner;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * When each allocation runner's next pass is due: one daemon timer thread for the whole process,
 * whose entries only wake their runner (the pass itself runs on a virtual thread of its own). A
 * runner between passes so costs one timer entry, not a parked thread: the thousands of
 * simulated allocations of {@code gantry agent --simulate} held a parked virtual thread each,
 * 6.6 KB per allocation with its stack chunk (README, Benchmarks).
 */
final class PassTimer {
  static final PassTimer SHARED = new PassTimer();

  private final ScheduledThreadPoolExecutor timer;

  private PassTimer() {
    timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "gantry-runner-timer");
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true); // a runner woken early cancels its entry: none piles up
  }

  /** Runs {@code wake} on the timer thread after {@code millis}; it must return at once. */
  ScheduledFuture<?> after(long millis, Runnable wake) {
    return timer.schedule(wake, millis, TimeUnit.MILLISECONDS);
  }
}
