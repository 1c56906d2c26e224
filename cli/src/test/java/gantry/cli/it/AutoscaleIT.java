package gantry.cli.it;

import static gantry.cli.it.AgentDockerClusterIT.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.GetJobRequest;
import gantry.v1.GetServiceEndpointsRequest;
import gantry.v1.Job;
import gantry.v1.ListJobVersionsRequest;
import gantry.v1.RegisterJobRequest;
import gantry.v1.ScaleJobRequest;
import gantry.v1.ScalingPolicy;
import gantry.v1.ServiceEndpoint;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The autoscaler end to end, with real processes: the echo example (examples/echo) run by the
 * exec driver, its replicas told to burn CPU over gRPC. Loaded, the group scales out to its max;
 * idle, back in to its min; never outside [min, max]; every decision is a job version with its
 * reason, shown by {@code gantry job history}. A user's scale outside the bounds is refused.
 */
class AutoscaleIT {
  @TempDir Path dir;

  static int count(OneManager m) {
    Job job = m.stub().getJob(GetJobRequest.newBuilder().setName("burn").build()).getJob();
    return job.getSpec().getGroups(0).getCount();
  }

  static List<ServiceEndpoint> endpoints(OneManager m) {
    return m.stub().getServiceEndpoints(GetServiceEndpointsRequest.newBuilder().setName("burn").build()).getEndpointsList();
  }

  /** The highest gantry_agent_allocation_cpu_percent of job burn on the agent's /metrics. */
  static double agentCpu(int port) throws Exception {
    var response = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create("http://127.0.0.1:" + port + "/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
    return response.body().lines().filter(l -> l.startsWith("gantry_agent_allocation_cpu_percent{") && l.contains("job=\"burn\""))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).max().orElse(0);
  }

  @Test
  void loadScalesOutToMaxAndIdleScalesBackInToMin() throws Exception {
    int metricsPort = PeerProcesses.freePort();
    try (OneManager m = OneManager.start(dir, "AutoscaleIT", "exec", Map.of("n1", List.of("--advertise", "127.0.0.1",
        "--metrics-interval", "1s", "--http-addr", "127.0.0.1:" + metricsPort)))) {
      // 200 millicores reserved per replica; one replica burning 400 is at 200 %.
      var group = EchoJob.group("burn", 1, 200, false).setScaling(ScalingPolicy.newBuilder().setMin(1).setMax(3)
          .setScaleOutAbove(80).setScaleInBelow(30).setStep(1).setWindowMs(6_000).setCooldownMs(5_000)
          .setScaleInStabilizationMs(5_000));
      m.stub().registerJob(RegisterJobRequest.newBuilder().setSpec(EchoJob.job("burn", group)).build());
      await("the first replica serving", 120, () -> endpoints(m).size() == 1);

      var refused = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class, () -> m.stub()
          .scaleJob(ScaleJobRequest.newBuilder().setName("burn").setGroup("echo").setCount(5).build()));
      assertTrue(refused.getStatus().getDescription().contains("autoscaled within 1..3"), refused.getStatus().toString());

      List<Integer> counts = Collections.synchronizedList(new ArrayList<>());
      try (Sampling sampling = new Sampling(() -> counts.add(count(m)))) {
        gantry.examples.echo.EchoLoad.set(endpoints(m).getFirst(), 400);
        // The agent's own /metrics shows the loaded replica's CPU (100 = a core; it burns 0.4).
        await("the agent's /metrics showing the load", 60, () -> agentCpu(metricsPort) > 20);
        await("scaled out to 3", 120, () -> count(m) == 3);
        await("3 replicas serving", 120, () -> endpoints(m).size() == 3);
        for (ServiceEndpoint e : endpoints(m)) gantry.examples.echo.EchoLoad.set(e, 0);
        await("scaled back in to 1", 180, () -> count(m) == 1);
        sampling.stop();
      }
      assertTrue(counts.stream().allMatch(c -> c >= 1 && c <= 3), "the count left 1..3: " + counts);
      assertTrue(counts.contains(2), "one step at a time: " + counts);

      List<String> reasons = m.stub().listJobVersions(ListJobVersionsRequest.newBuilder().setJob("burn").build())
          .getVersionsList().stream().map(Job::getVersionReason).filter(r -> !r.isEmpty()).toList();
      assertEquals(4, reasons.size(), "1 -> 2 -> 3 -> 2 -> 1: " + reasons);
      assertTrue(reasons.get(0).matches("autoscaler: cpu \\d+% > 80% for 6s: group echo 1 -> 2"), reasons.get(0));
      assertTrue(reasons.get(1).matches("autoscaler: cpu \\d+% > 80% for 6s: group echo 2 -> 3"), reasons.get(1));
      assertTrue(reasons.get(3).matches("autoscaler: cpu \\d+% < 30% for 6s: group echo 2 -> 1"), reasons.get(3));

      String history = Gantry.ok(Gantry.runAt(m.addresses(), "job", "history", "burn"));
      assertTrue(history.contains("autoscaler: cpu") && history.contains("group echo 2 -> 1"), history);
      String status = Gantry.ok(Gantry.runAt(m.addresses(), "job", "status", "burn"));
      assertTrue(status.contains("Scaling: group \"echo\": 1..3 replicas, cpu > 80% out, < 30% in, over 6s"), status);
      assertTrue(status.contains("Last scale: autoscaler: cpu"), status);
    }
  }
}
