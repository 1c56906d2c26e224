package gantry.cli.it;

import static gantry.cli.it.AgentDockerClusterIT.await;
import static gantry.cli.it.Gantry.ok;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.Allocation;
import gantry.v1.Deployment;
import gantry.v1.DeploymentStatus;
import gantry.v1.GetJobRequest;
import gantry.v1.Job;
import gantry.v1.ListDeploymentsRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Canaries, the progress deadline and a system job's stagger as a user drives them, on one
 * manager and two exec agents (real processes): a canary runs beside the old replicas until
 * `gantry deployment promote`; a canary that can never be placed fails its deployment by
 * progress_deadline and auto_revert brings the stable version back; a system job moves node by
 * node with the stagger between them.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CanaryIT {
  private static final int COUNT = 3;

  @TempDir static Path dir;
  private OneManager cluster;

  @BeforeAll
  void startCluster() throws Exception {
    cluster = OneManager.start(dir, "CanaryIT", "exec", "x1", "x2");
  }

  @AfterAll
  void stopCluster() throws Exception {
    if (cluster != null) cluster.close();
  }

  @Test
  void aCanaryRunsBesideTheOldReplicasUntilItIsPromoted() throws Exception {
    String job = "canary";
    ok(run(job, "service", "v1", 50, "canary: 1, auto_revert: true", "--detach"));
    await("3 healthy replicas of version 1", 120, () -> cluster.healthyOf(job, 1) == COUNT);

    String detached = ok(run(job, "service", "v2", 50, "canary: 1, auto_revert: true", "--detach"));
    assertTrue(detached.contains("version 2"), detached);
    await("the deployment waits for promotion", 120, () -> latest(job).getStatus() == DeploymentStatus.DEPLOYMENT_STATUS_BLOCKED);
    Deployment blocked = latest(job);
    assertTrue(blocked.getStatusDescription().contains("gantry deployment promote " + blocked.getId().substring(0, 8)),
        blocked.getStatusDescription());
    List<Allocation> running = cluster.running(job);
    assertEquals(COUNT, running.stream().filter(a -> a.getJobVersion() == 1).count(), "every old replica still runs");
    assertEquals(List.of(true), running.stream().filter(a -> a.getJobVersion() == 2).map(Allocation::getCanary).toList(),
        "beside one canary of version 2");

    String promoted = ok(Gantry.runAt(cluster.addresses(), "deployment", "promote", blocked.getId().substring(0, 8)));
    assertTrue(promoted.toLowerCase().contains("running"), promoted);
    await("every replica on version 2 and healthy", 180, () -> cluster.healthyOf(job, 2) == COUNT && cluster.running(job).size() == COUNT);
    assertEquals(DeploymentStatus.DEPLOYMENT_STATUS_SUCCESSFUL, latest(job).getStatus());

    Gantry.Result again = Gantry.runAt(cluster.addresses(), "deployment", "promote", blocked.getId().substring(0, 8));
    assertEquals(1, again.exit(), "a deployment that ended cannot be promoted: " + again);
    assertTrue(again.stderr().contains("has ended"), again.stderr());
  }

  @Test
  void aCanaryThatCannotBePlacedFailsByTheProgressDeadlineAndIsReverted() throws Exception {
    String job = "stuck";
    ok(run(job, "service", "v1", 50, "canary: 1, auto_revert: true, progress_deadline: 6s", "--detach"));
    await("3 healthy replicas of version 1", 120, () -> cluster.healthyOf(job, 1) == COUNT);

    // 5000 millicores: more than either node has.
    Gantry.Result stuck = run(job, "service", "v2", 5000, "canary: 1, auto_revert: true, progress_deadline: 6s");
    assertEquals(1, stuck.exit(), "job run fails with the deployment: " + stuck);
    assertTrue(stuck.stderr().contains("no allocation became healthy within progress_deadline 6s"), stuck.stderr());
    Deployment failed = cluster.stub().listDeployments(ListDeploymentsRequest.newBuilder().setJob(job).build())
        .getDeploymentsList().stream().filter(d -> d.getJobVersion() == 2).findFirst().orElseThrow();
    assertEquals(DeploymentStatus.DEPLOYMENT_STATUS_FAILED, failed.getStatus());
    assertEquals(1, failed.getRevertedToVersion());
    await("version 3 (version 1's spec) healthy everywhere", 120, () -> cluster.healthyOf(job, 3) == COUNT && cluster.running(job).size() == COUNT);
    assertEquals("v1", job(job).getSpec().getGroups(0).getTasks(0).getEnvOrThrow("RELEASE"));
  }

  @Test
  void aSystemJobMovesNodeByNodeWithTheStaggerBetween() throws Exception {
    String job = "sys";
    ok(run(job, "system", "v1", 50, "stagger: 4s", "--detach"));
    await("one healthy allocation per node", 120, () -> cluster.healthyOf(job, 1) == 2);

    ok(run(job, "system", "v2", 50, "stagger: 4s"));
    List<Allocation> v2 = cluster.allocs(job).stream().filter(a -> a.getJobVersion() == 2)
        .sorted(Comparator.comparingLong(Allocation::getCreateTimeMs)).toList();
    assertEquals(2, v2.size(), "one new allocation per node: " + v2);
    assertTrue(v2.stream().allMatch(a -> a.getDeployHealth().getStatus().equals("healthy")));
    long firstHealthy = v2.get(0).getDeployHealth().getTimeMs();
    long secondPlaced = v2.get(1).getCreateTimeMs();
    assertTrue(secondPlaced >= firstHealthy + 4_000,
        "the second node's update started " + (secondPlaced - firstHealthy) + " ms after the first was healthy, not before the 4 s stagger");
  }

  /**
   * {@code gantry job run FILE}: {@code count} replicas (service) of a task using
   * {@code cpu} millicores, with {@code update} added to max_parallel 1 and short health times.
   */
  private Gantry.Result run(String job, String type, String release, int cpu, String update, String... flags) throws Exception {
    Path spec = dir.resolve(job + "-" + release + ".yaml");
    Files.writeString(spec, "job: " + job + "\ntype: " + type + "\ngroups:\n  - name: g\n"
        + (type.equals("system") ? "" : "    count: " + COUNT + "\n")
        + "    restart: {attempts: 0, delay: 1s, mode: fail}\n"
        + "    update: {max_parallel: 1, min_healthy_time: 1s, healthy_deadline: 5s, " + update + "}\n"
        + "    tasks:\n      - {name: t, driver: exec, command: [sleep, \"3600\"], env: {RELEASE: " + release + "},"
        + " resources: {cpu: " + cpu + ", memory: 32}}\n");
    String[] args = new String[3 + flags.length];
    args[0] = "job";
    args[1] = "run";
    System.arraycopy(flags, 0, args, 2, flags.length);
    args[args.length - 1] = spec.toString();
    return Gantry.runAt(cluster.addresses(), args);
  }

  private Job job(String name) {
    return cluster.stub().getJob(GetJobRequest.newBuilder().setName(name).build()).getJob();
  }

  private Deployment latest(String job) {
    return cluster.stub().listDeployments(ListDeploymentsRequest.newBuilder().setJob(job).build()).getDeployments(0);
  }

}
