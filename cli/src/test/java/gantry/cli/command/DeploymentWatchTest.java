package gantry.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.client.ControlClient;
import gantry.cli.output.ProgressDisplay;
import gantry.v1.Deployment;
import gantry.v1.DeploymentGroup;
import gantry.v1.DeploymentStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The watch's patience with managers that do not answer, on a clock that moves only when the watch
 * pauses: 30 s of failed polls take no real time, and the test sees exactly when it gave up.
 */
class DeploymentWatchTest {
  /** Stands still until the watch's pause moves it. */
  static final class StepClock extends Clock {
    private Instant now = Instant.EPOCH;

    void advance(Duration d) {
      now = now.plus(d);
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      throw new UnsupportedOperationException();
    }
  }

  static final Deployment RUNNING = Deployment.newBuilder().setId("f0f0f0f0-9999-4000-8000-000000000000").setJob("web")
      .setJobVersion(5).setStatus(DeploymentStatus.DEPLOYMENT_STATUS_RUNNING).setStatusDescription("deployment is running")
      .putGroups("g", DeploymentGroup.newBuilder().setDesired(2).build())
      .build();

  @Test
  void givesUpThirtySecondsAfterTheFirstPollThatReachedNoManager() throws Exception {
    String dead = deadAddress();
    var clock = new StepClock();
    var out = new StringWriter();
    try (var control = new ControlClient(List.of(dead), Duration.ofSeconds(5))) {
      var watch = new DeploymentWatch(control, Duration.ofMillis(500), clock::advance, clock);
      var failure = assertThrows(Failure.class, () -> watch.await(RUNNING, ProgressDisplay.of(new PrintWriter(out), false)));

      assertEquals(Failure.FAILED, failure.exitCode());
      assertTrue(failure.getMessage().startsWith("gave up watching deployment f0f0f0f0: no manager answered for 30 s"
          + " (no manager reachable at " + dead), failure.getMessage());
      assertTrue(failure.getMessage().endsWith("; it goes on (gantry deployment status f0f0f0f0)"), failure.getMessage());
      // One pause before the first poll (at 0.5 s, the first failure), then one per failed poll
      // until 30 s had passed since that first failure: not one poll fewer, not one more.
      assertEquals(Duration.ofMillis(30_500), Duration.between(Instant.EPOCH, clock.instant()));
    }
    List<String> lines = out.toString().lines().toList();
    assertEquals(List.of("g: 2 desired, 0 placed, 0 healthy, 0 unhealthy", "Deployment f0f0f0f0 running: deployment is running"),
        lines.subList(0, 2));
    assertTrue(lines.size() > 2 && lines.stream().skip(2).allMatch(line -> line.startsWith(
        "Waiting for the managers (retrying for up to 30 s): no manager reachable at " + dead)), out.toString());
  }

  /** A loopback address where nothing listens: every call is refused at once (UNAVAILABLE). */
  private static String deadAddress() throws Exception {
    try (var socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return "127.0.0.1:" + socket.getLocalPort();
    }
  }
}
