package gantry.chaos.fleet;

import gantry.chaos.checker.AllocationChecker;
import gantry.chaos.cluster.ManagerCluster;
import gantry.chaos.history.Op;
import gantry.chaos.workload.Client;
import gantry.v1.Allocation;
import gantry.v1.ClientStatus;
import gantry.v1.DesiredStatus;
import gantry.v1.DisconnectPolicy;
import gantry.v1.GetJobRequest;
import gantry.v1.GroupSpec;
import gantry.v1.GroupSummary;
import gantry.v1.Job;
import gantry.v1.JobSpec;
import gantry.v1.ListAllocationsRequest;
import gantry.v1.RegisterJobRequest;
import gantry.v1.Resources;
import gantry.v1.RestartPolicy;
import gantry.v1.TaskSpec;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;

/**
 * The service job the fleet runs through the campaign: replicas of a sleeping process (exec
 * driver), whose agents stop them {@code stopAfter} after losing every manager. It starts
 * at {@code count}; {@link #scale} changes the count while faults go on, and every change
 * (ok or unknown) is recorded for the checker, with the unique marker it writes into the
 * spec's meta ({@code chaos.scale}), so each job version names the change that made it;
 * {@link #read} records which version is in force. {@link #awaitConverged} waits, after the
 * faults are healed, until the managers' view and the processes really running agree on
 * exactly the count the managers hold.
 */
public final class FleetJob {
  public static final String NAME = "chaos-fleet";
  static final String MARKER = "chaos.scale";
  private final int count;
  private final Duration stopAfter;
  private final List<AllocationChecker.Scale> scales = new ArrayList<>();
  private final List<AllocationChecker.JobRead> reads = new ArrayList<>();
  private int changes;

  public FleetJob(int count, Duration stopAfter) {
    this.count = count;
    this.stopAfter = stopAfter;
  }

  /** The first count. */
  public int count() {
    return count;
  }

  /** Every count set so far, ok or unknown, in invoke order. */
  public synchronized List<AllocationChecker.Scale> scales() {
    return List.copyOf(scales);
  }

  /** Every read of the job so far. */
  public synchronized List<AllocationChecker.JobRead> reads() {
    return List.copyOf(reads);
  }

  public Duration stopAfter() {
    return stopAfter;
  }

  public JobSpec spec(int replicas, String marker) {
    return JobSpec.newBuilder().setName(NAME).setType("service").putMeta(MARKER, marker)
        .addGroups(GroupSpec.newBuilder().setName("workers").setCount(replicas).setPlacement("spread")
            .setRestart(RestartPolicy.newBuilder().setAttempts(2).setDelayMs(500).setMode("fail").setIntervalMs(60_000))
            .setDisconnect(DisconnectPolicy.newBuilder().setStopAfterMs(stopAfter.toMillis()))
            .addTasks(TaskSpec.newBuilder().setName("sleep").setDriver("exec").addCommand("sleep").addCommand("86400")
                .setResources(Resources.newBuilder().setCpu(100).setMemory(32))))
        .build();
  }

  /** Registers the job at its first count through any manager, retrying while the cluster settles. */
  public void register(ManagerCluster cluster, LongSupplier clock, Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    int i = 0;
    while (!scale(cluster, cluster.ids().get(i++ % cluster.ids().size()), count, clock)) {
      if (System.nanoTime() > end) throw new IllegalStateException("could not register " + NAME + " within " + timeout);
      cluster.resetBackoff();
      ManagerCluster.sleep(500);
    }
  }

  /**
   * Sets the count through manager {@code peer} (a register of the changed spec) and records
   * it, with the run clock; true when acknowledged.
   */
  public boolean scale(ManagerCluster cluster, String peer, int replicas, LongSupplier clock) {
    String marker = nextMarker();
    long invoke = clock.getAsLong();
    try {
      Job job = cluster.stub(peer, Duration.ofSeconds(5))
          .registerJob(RegisterJobRequest.newBuilder().setSpec(spec(replicas, marker)).build()).getJob();
      record(new AllocationChecker.Scale(invoke, clock.getAsLong(), replicas, true, marker, job.getVersion()));
      return true;
    } catch (StatusRuntimeException e) {
      if (Client.classify(Op.Type.REGISTER, e) == Op.Outcome.UNKNOWN) {
        record(new AllocationChecker.Scale(invoke, Long.MAX_VALUE, replicas, false, marker, 0));
      }
      return false;
    }
  }

  /** A linearizable read of the job through {@code peer}, recorded; false when it failed. */
  public boolean read(ManagerCluster cluster, String peer, LongSupplier clock) {
    long invoke = clock.getAsLong();
    try {
      Job job = cluster.stub(peer, Duration.ofSeconds(5)).getJob(GetJobRequest.newBuilder().setName(NAME).build()).getJob();
      record(invoke, clock.getAsLong(), job);
      return true;
    } catch (StatusRuntimeException e) {
      return false;
    }
  }

  private synchronized String nextMarker() {
    return "s" + (++changes);
  }

  private synchronized void record(AllocationChecker.Scale s) {
    scales.add(s);
  }

  private synchronized void record(long invoke, long complete, Job job) {
    int count = job.getSpec().getGroupsList().stream().mapToInt(GroupSpec::getCount).sum();
    reads.add(new AllocationChecker.JobRead(invoke, complete, job.getVersion(), job.getSpec().getMetaOrDefault(MARKER, ""), count));
  }

  /**
   * Polls until the managers report as many running as they want, their running allocations
   * are exactly the ones whose processes run, and no replica runs on two agents.
   */
  public AllocationChecker.Convergence awaitConverged(ManagerCluster cluster, FleetSampler sampler, Duration bound,
      LongSupplier clock) {
    long start = System.nanoTime();
    long end = start + bound.toNanos();
    String last = "no answer yet";
    int i = 0;
    while (System.nanoTime() < end) {
      String peer = cluster.ids().get(i++ % cluster.ids().size());
      try {
        long invoke = clock.getAsLong();
        var job = cluster.stub(peer, Duration.ofSeconds(5)).getJob(GetJobRequest.newBuilder().setName(NAME).build());
        record(invoke, clock.getAsLong(), job.getJob());
        int running = job.getGroupsList().stream().mapToInt(GroupSummary::getRunning).sum();
        int count = job.getGroupsList().stream().mapToInt(GroupSummary::getDesired).sum();
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
    return new AllocationChecker.Convergence(false, bound.toMillis(), bound, last + "; " + whatManagersSee(cluster));
  }

  /**
   * For a run that did not converge: the nodes' statuses and the job's allocations by desired and
   * client status, as the first manager that answers sees them.
   */
  private static String whatManagersSee(ManagerCluster cluster) {
    for (String peer : cluster.ids()) {
      try {
        var stub = cluster.stub(peer, Duration.ofSeconds(5));
        String nodes = stub.listNodes(gantry.v1.ListNodesRequest.getDefaultInstance()).getNodesList().stream()
            .map(n -> n.getName() + "=" + n.getStatus().name().replace("NODE_STATUS_", "").toLowerCase(java.util.Locale.ROOT)
                + (n.getEligible() ? "" : "(ineligible)"))
            .collect(Collectors.joining(", "));
        Map<String, Long> allocs = stub.listAllocations(ListAllocationsRequest.newBuilder().setJob(NAME).build()).getAllocationsList()
            .stream().collect(Collectors.groupingBy(a -> a.getDesiredStatus().name().replace("DESIRED_STATUS_", "").toLowerCase(java.util.Locale.ROOT)
                + "/" + a.getClientStatus().name().replace("CLIENT_STATUS_", "").toLowerCase(java.util.Locale.ROOT),
                java.util.TreeMap::new, Collectors.counting()));
        var eval = stub.listEvaluations(gantry.v1.ListEvaluationsRequest.newBuilder().setJob(NAME).build()).getEvaluationsList();
        String lastEval = eval.isEmpty() ? "none" : eval.getFirst().getStatus() + " " + eval.getFirst().getStatusDescription();
        return "at " + peer + ": nodes [" + nodes + "], allocations by desired/client status " + allocs + ", last evaluation " + lastEval;
      } catch (StatusRuntimeException e) {
        // the next manager
      }
    }
    return "no manager answered the diagnosis";
  }
}
