package gantry.chaos.fleet;

import gantry.chaos.checker.AllocationChecker;
import gantry.chaos.cluster.ManagerCluster;
import gantry.v1.Allocation;
import gantry.v1.ClientStatus;
import gantry.v1.DesiredStatus;
import gantry.v1.DisconnectPolicy;
import gantry.v1.GetJobRequest;
import gantry.v1.GroupSpec;
import gantry.v1.GroupSummary;
import gantry.v1.JobSpec;
import gantry.v1.ListAllocationsRequest;
import gantry.v1.RegisterJobRequest;
import gantry.v1.Resources;
import gantry.v1.RestartPolicy;
import gantry.v1.TaskSpec;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The service job the fleet runs through the campaign: {@code count} replicas of a sleeping
 * process (exec driver), whose agents stop them {@code stopAfter} after losing every manager.
 * {@link #awaitConverged} waits, after the faults are healed, until the managers' view and
 * the processes really running agree on exactly {@code count} replicas.
 */
public final class FleetJob {
  public static final String NAME = "chaos-fleet";
  private final int count;
  private final Duration stopAfter;

  public FleetJob(int count, Duration stopAfter) {
    this.count = count;
    this.stopAfter = stopAfter;
  }

  public int count() {
    return count;
  }

  public Duration stopAfter() {
    return stopAfter;
  }

  public JobSpec spec() {
    return JobSpec.newBuilder().setName(NAME).setType("service")
        .addGroups(GroupSpec.newBuilder().setName("workers").setCount(count).setPlacement("spread")
            .setRestart(RestartPolicy.newBuilder().setAttempts(2).setDelayMs(500).setMode("fail").setIntervalMs(60_000))
            .setDisconnect(DisconnectPolicy.newBuilder().setStopAfterMs(stopAfter.toMillis()))
            .addTasks(TaskSpec.newBuilder().setName("sleep").setDriver("exec").addCommand("sleep").addCommand("86400")
                .setResources(Resources.newBuilder().setCpu(100).setMemory(32))))
        .build();
  }

  /** Registers the job through any manager, retrying while the cluster settles. */
  public void register(ManagerCluster cluster, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    int i = 0;
    while (true) {
      String peer = cluster.ids().get(i++ % cluster.ids().size());
      try {
        cluster.stub(peer, Duration.ofSeconds(10)).registerJob(RegisterJobRequest.newBuilder().setSpec(spec()).build());
        return;
      } catch (StatusRuntimeException e) {
        if (System.nanoTime() > end) throw e;
        cluster.resetBackoff();
        ManagerCluster.sleep(500);
      }
    }
  }

  /**
   * Polls until the managers report {@code count} running, their running allocations are
   * exactly the ones whose processes run, and there are {@code count} of them.
   */
  public AllocationChecker.Convergence awaitConverged(ManagerCluster cluster, FleetSampler sampler, Duration bound) {
    long start = System.nanoTime();
    long end = start + bound.toNanos();
    String last = "no answer yet";
    int i = 0;
    while (System.nanoTime() < end) {
      String peer = cluster.ids().get(i++ % cluster.ids().size());
      try {
        var job = cluster.stub(peer, Duration.ofSeconds(5)).getJob(GetJobRequest.newBuilder().setName(NAME).build());
        int running = job.getGroupsList().stream().mapToInt(GroupSummary::getRunning).sum();
        Set<String> managed = cluster.stub(peer, Duration.ofSeconds(5))
            .listAllocations(ListAllocationsRequest.newBuilder().setJob(NAME).build()).getAllocationsList().stream()
            .filter(a -> a.getDesiredStatus() == DesiredStatus.DESIRED_STATUS_RUN
                && a.getClientStatus() == ClientStatus.CLIENT_STATUS_RUNNING)
            .map(Allocation::getId).collect(Collectors.toCollection(TreeSet::new));
        Map<String, Set<String>> live = sampler.sampleNow().running();
        Set<String> processes = new TreeSet<>(live.keySet());
        last = "managers (" + peer + ") report " + running + " running of " + count + ", allocations " + managed
            + "; processes run for " + processes;
        if (running == count && managed.size() == count && managed.equals(processes)
            && live.values().stream().allMatch(agents -> agents.size() == 1)) {
          return new AllocationChecker.Convergence(true, (System.nanoTime() - start) / 1_000_000, bound, last);
        }
      } catch (StatusRuntimeException e) {
        last = peer + ": " + e.getStatus().getCode() + " " + e.getStatus().getDescription();
        cluster.resetBackoff();
      }
      ManagerCluster.sleep(500);
    }
    return new AllocationChecker.Convergence(false, bound.toMillis(), bound, last);
  }
}
