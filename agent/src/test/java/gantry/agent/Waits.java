package gantry.agent;

import gantry.agent.runner.AllocationRunner;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * How the agent's tests wait: Awaitility, bounded, naming what is awaited (a timeout reads
 * "Condition with alias 'healthy' didn't complete within 10 seconds..."), first checked at once and
 * then every 20 ms (Awaitility's own default first waits 100 ms, which adds up over a suite).
 *
 * <p>A test that checks that something did not happen never sleeps for it: it first waits for an
 * event proving the component had its chance to do it (a runner's pass that began after the moment
 * in question, an assignments message applied), then asserts.
 */
public final class Waits {
  static final Duration POLL = Duration.ofMillis(20);

  private Waits() {}

  /** {@code waitFor("healthy", WAIT).until(() -> ...)}. */
  public static ConditionFactory waitFor(String what, Duration atMost) {
    return Awaitility.await(what).atMost(atMost).pollDelay(Duration.ZERO).pollInterval(POLL);
  }

  /**
   * Waits for a pass of {@code runner}'s loop that began after this call, so it saw the runner's
   * clock and mailbox as they are now or later: a restart due by now, or an update or stop already
   * queued, has been acted on (and published) when this returns. The pass under way at the call may
   * have read the clock before it, hence two.
   */
  public static void awaitPassAfterNow(AllocationRunner runner, Duration atMost) {
    long target = runner.passes() + 2;
    waitFor("allocation " + runner.id() + ": a runner pass that began after now (pass " + target + ")", atMost)
        .until(runner::passes, n -> n >= target);
  }
}
