package gantry.examples.echo.bench;

import gantry.client.ControlClient;
import gantry.examples.echo.EchoLoad;
import gantry.v1.GetJobRequest;
import gantry.v1.GetServiceEndpointsRequest;
import gantry.v1.GroupSpec;
import gantry.v1.Job;
import gantry.v1.ScaleMark;
import gantry.v1.ServiceEndpoint;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The autoscaling benchmark's driver (scripts/bench/autoscale.sh), against a cluster running an
 * autoscaled echo job (one group, one replica at rest, a service of the same name). Per round:
 * the replica is told to burn {@code --load} millicores (a CPU step), and the driver times from
 * that step to the autoscaler's first scale-out decision (its ScaleMark, the leader's clock on
 * this host), then from the decision to the new replicas serving (in the service's endpoints),
 * then sets every replica idle and times to the first scale-in decision. Prints RESULT lines
 * with the medians over the rounds.
 */
public final class AutoscaleBench {
  private final ControlClient control;
  private final String job;

  private AutoscaleBench(List<String> managers, String job) {
    this.control = new ControlClient(managers, Duration.ofSeconds(10));
    this.job = job;
  }

  public static void main(String[] argv) throws Exception {
    BenchArgs args = BenchArgs.parse(argv, Map.of("--job", "burn", "--rounds", "3", "--load", "400"));
    AutoscaleBench b = new AutoscaleBench(args.managers(), args.text("--job"));
    List<Long> out = new ArrayList<>();
    List<Long> serving = new ArrayList<>();
    List<Long> in = new ArrayList<>();
    for (int round = 1; round <= args.number("--rounds"); round++) {
      b.await("one replica serving at rest", 600, () -> b.count() == 1 && b.endpoints().size() == 1);
      b.awaitCooldown();
      int from = b.count();
      long step = System.currentTimeMillis();
      EchoLoad.set(b.endpoints().getFirst(), args.number("--load"));
      b.await("a scale-out decision", 900, () -> b.count() > from);
      ScaleMark up = b.mark();
      b.await("the new replicas serving", 600, () -> b.endpoints().size() >= up.getTo());
      long servingAt = System.currentTimeMillis();
      long idle = System.currentTimeMillis();
      for (ServiceEndpoint e : b.endpoints()) EchoLoad.set(e, 0);
      b.await("a scale-in decision", 900, () -> b.mark().getTo() < b.mark().getFrom());
      ScaleMark down = b.mark();
      out.add(up.getTimeMs() - step);
      serving.add(servingAt - up.getTimeMs());
      in.add(down.getTimeMs() - idle);
      System.out.printf(Locale.ROOT, "round %d: load to scale-out %d ms (%s), to serving %d ms, idle to scale-in %d ms (%s)%n",
          round, out.getLast(), up.getReason(), serving.getLast(), in.getLast(), down.getReason());
    }
    System.out.printf("RESULT load_to_scale_out_ms=%d%n", BenchArgs.median(out));
    System.out.printf("RESULT scale_out_to_serving_ms=%d%n", BenchArgs.median(serving));
    System.out.printf("RESULT idle_to_scale_in_ms=%d%n", BenchArgs.median(in));
    b.control.close();
  }

  private Job job() {
    return control.call(s -> s.getJob(GetJobRequest.newBuilder().setName(job).build())).getJob();
  }

  private GroupSpec group() {
    return job().getSpec().getGroups(0);
  }

  private int count() {
    return group().getCount();
  }

  private ScaleMark mark() {
    Job j = job();
    return j.getLastScaleMap().getOrDefault(j.getSpec().getGroups(0).getName(), ScaleMark.getDefaultInstance());
  }

  private List<ServiceEndpoint> endpoints() {
    return control.callLeader(s -> s.getServiceEndpoints(GetServiceEndpointsRequest.newBuilder().setName(job).build()))
        .getEndpointsList();
  }

  /** A step right after a scale would measure the cooldown: wait until it has passed. */
  private void awaitCooldown() throws InterruptedException {
    var s = group().getScaling();
    long cooldown = Math.max(s.hasScaleOutCooldownMs() ? s.getScaleOutCooldownMs() : s.getCooldownMs(), s.getWindowMs());
    long wait = mark().getTimeMs() + cooldown - System.currentTimeMillis();
    if (wait > 0) Thread.sleep(wait);
  }

  private void await(String what, int seconds, BooleanSupplier done) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (!done.getAsBoolean()) {
      if (System.nanoTime() > deadline) throw new IllegalStateException("no " + what + " within " + seconds + " s");
      Thread.sleep(100);
    }
  }
}
