package gantry.cli.output;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gantry.v1.Deployment;
import gantry.v1.DeploymentGroup;
import gantry.v1.DeploymentStatus;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** The two displays fed the same polls: plain lines on change, or one frame redrawn in place. */
class ProgressDisplayTest {
  static final String CLEAR = "\r\u001b[2K";

  static Deployment running(int placed) {
    return Deployment.newBuilder().setId("abcdef01-0000-4000-8000-000000000000").setJob("web").setJobVersion(2)
        .setStatus(DeploymentStatus.DEPLOYMENT_STATUS_RUNNING).setStatusDescription("deployment is running")
        .putGroups("b", DeploymentGroup.newBuilder().setDesired(1).setPlaced(1).build())
        .putGroups("a", DeploymentGroup.newBuilder().setDesired(3).setPlaced(placed).build())
        .build();
  }

  @Test
  void liveRedrawsTheFrameAndShowsWhyItStopsMovingInThePlaceOfTheStatus() {
    var out = new StringWriter();
    var live = ProgressDisplay.of(new PrintWriter(out), true);
    live.unreachable("Waiting for the managers");
    live.show(running(1), false);
    live.unreachable("Waiting for the managers");
    live.show(running(2), false);

    String a1 = CLEAR + "a: 3 desired, 1 placed, 0 healthy, 0 unhealthy\n";
    String a2 = CLEAR + "a: 3 desired, 2 placed, 0 healthy, 0 unhealthy\n";
    String b = CLEAR + "b: 1 desired, 1 placed, 0 healthy, 0 unhealthy\n";
    String status = CLEAR + "Deployment abcdef01 running: deployment is running\n";
    String waiting = CLEAR + "Waiting for the managers\n";
    assertEquals(
        waiting
            // Three lines over the one: the frame grows downwards.
            + "\u001b[1A" + a1 + b + status
            + "\u001b[3A" + a1 + b + waiting
            + "\u001b[3A" + a2 + b + status,
        out.toString());
  }

  @Test
  void plainPrintsEachChangedLineOnceAndTheStatusAgainAfterAnInterruption() {
    var out = new StringWriter();
    var plain = ProgressDisplay.of(new PrintWriter(out), false);
    plain.show(running(1), false);
    plain.show(running(1), false);
    plain.unreachable("Waiting for the managers");
    plain.unreachable("Waiting for the managers");
    plain.show(running(1), false);
    plain.show(running(2), true);

    assertEquals("""
        a: 3 desired, 1 placed, 0 healthy, 0 unhealthy
        b: 1 desired, 1 placed, 0 healthy, 0 unhealthy
        Deployment abcdef01 running: deployment is running
        Waiting for the managers
        Deployment abcdef01 running: deployment is running
        a: 3 desired, 2 placed, 0 healthy, 0 unhealthy
        """, out.toString());
  }
}
