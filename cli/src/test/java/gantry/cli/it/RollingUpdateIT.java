package gantry.cli.it;

import static gantry.cli.it.AgentDockerClusterIT.await;
import static gantry.cli.it.AgentDockerClusterIT.isRunning;
import static gantry.cli.it.Gantry.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.Allocation;
import gantry.v1.GetJobRequest;
import gantry.v1.Job;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rolling updates as a user sees them, on one manager and one exec agent (real processes):
 * a changed spec replaces one replica at a time (start_first: the new one beside the old, which
 * stops once the new one proved healthy for min_healthy_time); a version whose tasks fail is
 * reverted to the last stable one by auto_revert; a scale keeps every running replica. A sampler reads the allocations every 200 ms throughout and records the fewest
 * running replicas and the most new ones not yet healthy.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RollingUpdateIT {
  private static final int COUNT = 3;
  private static final int MAX_PARALLEL = 1;

  @TempDir static Path dir;
  private OneManager cluster;

  @BeforeAll
  void startCluster() throws Exception {
    cluster = OneManager.start(dir, "RollingUpdateIT", "exec", "x1");
  }

  @AfterAll
  void stopCluster() throws Exception {
    if (cluster != null) cluster.close();
  }

  @Test
  void aChangedSpecReplacesOneReplicaAtATimeBehindHealth() throws Exception {
    String job = "roll";
    String first = ok(run(job, "v1", "exec sleep 3600"));
    assertTrue(first.contains("successful"), "job run waits for the first deployment: " + first);
    assertEquals(COUNT, cluster.healthyOf(job, 1));

    try (Sampler s = new Sampler(job)) {
      String out = ok(run(job, "v2", "exec sleep 3600"));
      assertTrue(out.contains("g: 3 desired, 3 placed, 3 healthy, 0 unhealthy") && out.contains("successful"),
          "job run followed the deployment to its end: " + out);
      await("every replica on version 2 and healthy", 60, () -> cluster.healthyOf(job, 2) == COUNT && cluster.running(job).size() == COUNT);
      s.stop();
      assertTrue(s.fewestRunning >= COUNT,
          "start_first: never fewer than count replicas running; fewest seen: " + s.fewestRunning);
      assertTrue(s.mostWaiting <= MAX_PARALLEL,
          "never more than max_parallel new replicas not yet healthy; most seen: " + s.mostWaiting);
    }
    assertTrue(cluster.running(job).stream().allMatch(a -> a.getJobVersion() == 2), "no replica of version 1 runs");
    assertTrue(job(job).getStable(), "version 2 is stable once its deployment succeeded");
  }

  @Test
  void aScaleKeepsEveryRunningReplicaWhereItRuns() throws Exception {
    String job = "scale";
    ok(run(job, "v1", "exec sleep 3600"));
    List<String> before = cluster.running(job).stream().map(Allocation::getId).sorted().toList();
    assertEquals(COUNT, before.size());

    String out = ok(Gantry.runAt(cluster.addresses(), "job", "scale", job, "g", "5"));
    assertTrue(out.contains("scaled to 5: version 2"), out);
    await("5 healthy replicas of version 2", 120, () -> cluster.healthyOf(job, 2) == 5);
    List<String> after = cluster.running(job).stream().map(Allocation::getId).toList();
    assertTrue(after.containsAll(before), "the three that ran still run, updated in place: " + before + " in " + after);
    assertTrue(cluster.allocs(job).stream().noneMatch(a -> a.getDesiredStatus() == gantry.v1.DesiredStatus.DESIRED_STATUS_STOP),
        "nothing was stopped");

    ok(Gantry.runAt(cluster.addresses(), "job", "scale", job, "g", "2"));
    await("2 replicas of version 3", 60, () -> cluster.running(job).size() == 2 && cluster.running(job).stream().allMatch(a -> a.getJobVersion() == 3));
    assertTrue(before.containsAll(cluster.running(job).stream().map(Allocation::getId).toList()), "scaling down keeps the lowest indexes");

    Gantry.Result noGroup = Gantry.runAt(cluster.addresses(), "job", "scale", job, "nope", "2");
    assertEquals(1, noGroup.exit());
    assertTrue(noGroup.stderr().contains("has no group \"nope\""), noGroup.stderr());
  }

  @Test
  void aFailingVersionIsRevertedToTheLastStableOne() throws Exception {
    String job = "revert";
    ok(run(job, "v1", "exec sleep 3600"));
    assertEquals(COUNT, cluster.healthyOf(job, 1));

    try (Sampler s = new Sampler(job)) {
      Gantry.Result broken = run(job, "v2", "echo broken; exit 3");
      assertEquals(1, broken.exit(), "job run fails with the deployment: " + broken);
      assertTrue(broken.stderr().contains("unhealthy: task t: exit code 3") && broken.stderr().contains("reverted to version 1"),
          "with the allocation's reason and the revert: " + broken.stderr());
      assertEquals(3, job(job).getVersion(), "the job registered again as version 3 with version 1's spec");
      Allocation failed = cluster.allocs(job).stream().filter(a -> a.getJobVersion() == 2).findFirst().orElseThrow();
      assertEquals("unhealthy", failed.getDeployHealth().getStatus());
      assertTrue(failed.getDeployHealth().getReason().contains("exit code 3"), failed.getDeployHealth().getReason());
      await("every replica on version 3 and healthy", 180, () -> cluster.healthyOf(job, 3) == COUNT && cluster.running(job).size() == COUNT);
      s.stop();
      assertTrue(s.fewestRunning >= COUNT,
          "the broken version took no replica down; fewest running: " + s.fewestRunning);
    }
    assertTrue(cluster.running(job).stream().noneMatch(a -> a.getJobVersion() == 2), "no allocation of the failed version runs");
    assertEquals("v1", job(job).getSpec().getGroups(0).getTasks(0).getEnvOrThrow("RELEASE"));
  }

  /** {@code gantry job run FILE}, which waits for the deployment. */
  private Gantry.Result run(String job, String release, String script) throws Exception {
    Path spec = dir.resolve(job + "-" + release + ".yaml");
    Files.writeString(spec, "job: " + job + "\ntype: service\ngroups:\n  - name: g\n    count: " + COUNT + "\n"
        + "    restart: {attempts: 0, delay: 1s, mode: fail}\n"
        + "    update: {max_parallel: " + MAX_PARALLEL + ", min_healthy_time: 2s, healthy_deadline: 1m, auto_revert: true}\n"
        + "    tasks:\n      - {name: t, driver: exec, command: [sh, -c, \"" + script + "\"], env: {RELEASE: " + release + "},"
        + " resources: {cpu: 50, memory: 32}}\n");
    return Gantry.runAt(cluster.addresses(), "job", "run", spec.toString());
  }

  private Job job(String name) {
    return cluster.stub().getJob(GetJobRequest.newBuilder().setName(name).build()).getJob();
  }

  /** Wanted running and not finished: pending or running. */
  private static boolean live(Allocation a) {
    return a.getDesiredStatus() == gantry.v1.DesiredStatus.DESIRED_STATUS_RUN
        && (a.getClientStatus() == gantry.v1.ClientStatus.CLIENT_STATUS_PENDING
            || a.getClientStatus() == gantry.v1.ClientStatus.CLIENT_STATUS_RUNNING);
  }

  /** Reads the job's allocations every 200 ms: the fewest running, the most new ones not yet healthy. */
  private final class Sampler implements AutoCloseable {
    volatile int fewestRunning = Integer.MAX_VALUE;
    volatile int mostWaiting;
    private final Sampling sampling;

    Sampler(String job) {
      sampling = new Sampling(() -> {
        List<Allocation> all = cluster.allocs(job);
        long current = job(job).getVersion();
        int runningNow = (int) all.stream().filter(a -> isRunning(a)).count();
        int waiting = (int) all.stream().filter(a -> a.getJobVersion() == current && live(a)
            && a.getDeployHealth().getStatus().isEmpty()).count();
        fewestRunning = Math.min(fewestRunning, runningNow);
        mostWaiting = Math.max(mostWaiting, waiting);
      });
    }

    void stop() throws InterruptedException {
      sampling.stop();
    }

    int samples() {
      return sampling.samples();
    }

    @Override
    public void close() throws InterruptedException {
      sampling.close();
    }
  }
}
