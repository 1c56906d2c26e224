package gantry.node.http;

import gantry.node.raft.RaftNode;
import gantry.node.state.ClusterState;
import gantry.v1.Allocation;
import gantry.v1.ClientStatus;
import gantry.v1.GroupSpec;
import gantry.v1.Job;
import gantry.v1.JobStatus;
import gantry.v1.Node;
import gantry.v1.NodeStatus;
import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The {@code gantry_*} series of one peer, computed at each scrape from what the peer holds right
 * then (its Raft node and its applied state), so nothing is kept twice or goes stale:
 *
 * <ul>
 *   <li>{@code gantry_raft_term}, {@code gantry_raft_applied_index},
 *       {@code gantry_raft_commit_index}: as this peer knows them (commit minus applied is this
 *       peer's apply backlog);
 *   <li>{@code gantry_raft_leader}: 1 on the leader, else 0 (sums to 1 over a healthy cluster);
 *   <li>{@code gantry_raft_leader_changes_total}: {@link LeaderChanges};
 *   <li>{@code gantry_nodes{status}}: nodes by status, every status present (0 too), so a
 *       dashboard sees "0 down" rather than no series;
 *   <li>{@code gantry_allocations{status}}: allocations by client status, every status present;
 *   <li>{@code gantry_job_allocations{job,group,status}}: the same per job and group, only the
 *       combinations that exist; in one scrape they add up to {@code gantry_allocations};
 *   <li>{@code gantry_job_desired_allocations{job,group}}: the group's count in the job's current
 *       spec (0 once the job is stopped), for "running vs desired"; service and batch jobs only,
 *       since a system job's count follows the nodes it fits.
 * </ul>
 *
 * Status label values are the enum's name without its prefix, in lower case
 * ({@code NODE_STATUS_READY} -> {@code ready}), as the CLI's tables show them.
 */
final class ClusterMetrics {
  private final Supplier<ClusterState> state;
  private final LongSupplier term;
  private final LongSupplier appliedIndex;
  private final LongSupplier commitIndex;
  private final BooleanSupplier leader;
  private final LongSupplier leaderChanges;

  ClusterMetrics(Supplier<ClusterState> state, LongSupplier term, LongSupplier appliedIndex, LongSupplier commitIndex,
      BooleanSupplier leader, LongSupplier leaderChanges) {
    this.state = state;
    this.term = term;
    this.appliedIndex = appliedIndex;
    this.commitIndex = commitIndex;
    this.leader = leader;
    this.leaderChanges = leaderChanges;
  }

  /** The series of the peer behind {@code raft}; reads the state machine's current state at each scrape. */
  static ClusterMetrics of(RaftNode raft, LeaderChanges changes) {
    return new ClusterMetrics(() -> raft.stateMachine().state(), raft::currentTerm,
        () -> raft.stateMachine().appliedIndex(), raft::commitIndex, raft::isLeader, changes::count);
  }

  void register(PrometheusRegistry registry) {
    GaugeWithCallback.builder().name("gantry_raft_term").help("Raft term as this peer knows it.")
        .callback(cb -> cb.call(term.getAsLong())).register(registry);
    GaugeWithCallback.builder().name("gantry_raft_applied_index").help("Index of the last Raft entry this peer applied.")
        .callback(cb -> cb.call(appliedIndex.getAsLong())).register(registry);
    GaugeWithCallback.builder().name("gantry_raft_commit_index").help("Index of the last Raft entry this peer knows committed.")
        .callback(cb -> cb.call(commitIndex.getAsLong())).register(registry);
    GaugeWithCallback.builder().name("gantry_raft_leader").help("1 if this peer is the Raft leader, else 0.")
        .callback(cb -> cb.call(leader.getAsBoolean() ? 1 : 0)).register(registry);
    CounterWithCallback.builder().name("gantry_raft_leader_changes_total")
        .help("Leader changes this peer has seen since it started (another peer elected, or this peer leading).")
        .callback(cb -> cb.call(leaderChanges.getAsLong())).register(registry);
    registry.register((MultiCollector) this::stateSeries);
  }

  /**
   * The series read from the applied state, from one read of it per scrape: the per-job
   * allocation series then add up to the totals in the same scrape.
   */
  MetricSnapshots stateSeries() {
    ClusterState s = state.get();
    List<Allocation> allocs = s.allocs();
    GaugeSnapshot.Builder nodes = GaugeSnapshot.builder().name("gantry_nodes")
        .help("Nodes by status, from this peer's applied state.");
    nodes(s.nodesUnordered()).forEach((status, n) -> nodes.dataPoint(point(n, "status", status)));
    GaugeSnapshot.Builder byStatus = GaugeSnapshot.builder().name("gantry_allocations")
        .help("Allocations by client status, from this peer's applied state.");
    allocations(allocs).forEach((status, n) -> byStatus.dataPoint(point(n, "status", status)));
    GaugeSnapshot.Builder byJob = GaugeSnapshot.builder().name("gantry_job_allocations")
        .help("Allocations by job, group and client status, from this peer's applied state.");
    jobAllocations(allocs).forEach((k, n) -> byJob.dataPoint(point(n, "job", k.job(), "group", k.group(), "status", k.status())));
    GaugeSnapshot.Builder desired = GaugeSnapshot.builder().name("gantry_job_desired_allocations")
        .help("Allocations each group of a service or batch job should have, from its current spec (0 when stopped).");
    desiredAllocations(s.allJobs()).forEach((k, n) -> desired.dataPoint(point(n, "job", k.job(), "group", k.group())));
    return MetricSnapshots.of(nodes.build(), byStatus.build(), byJob.build(), desired.build());
  }

  private static GaugeSnapshot.GaugeDataPointSnapshot point(double value, String... labels) {
    return GaugeSnapshot.GaugeDataPointSnapshot.builder().value(value).labels(Labels.of(labels)).build();
  }

  /** Count per status label: every known status, and any other that occurs. */
  static Map<String, Long> nodes(Iterable<Node> nodes) {
    Map<NodeStatus, Long> counts = new EnumMap<>(NodeStatus.class);
    for (NodeStatus s : NodeStatus.values()) {
      if (known(s)) counts.put(s, 0L);
    }
    for (Node n : nodes) counts.merge(n.getStatus(), 1L, Long::sum);
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((s, n) -> out.put(label(s.name(), "NODE_STATUS_"), n));
    return out;
  }

  static Map<String, Long> allocations(List<Allocation> allocs) {
    Map<ClientStatus, Long> counts = new EnumMap<>(ClientStatus.class);
    for (ClientStatus s : ClientStatus.values()) {
      if (known(s)) counts.put(s, 0L);
    }
    for (Allocation a : allocs) counts.merge(a.getClientStatus(), 1L, Long::sum);
    Map<String, Long> out = new TreeMap<>();
    counts.forEach((s, n) -> out.put(label(s.name(), "CLIENT_STATUS_"), n));
    return out;
  }

  /** One series of {@code gantry_job_allocations}. */
  record JobGroupStatus(String job, String group, String status) implements Comparable<JobGroupStatus> {
    @Override
    public int compareTo(JobGroupStatus o) {
      int c = job.compareTo(o.job);
      if (c == 0) c = group.compareTo(o.group);
      return c != 0 ? c : status.compareTo(o.status);
    }
  }

  static Map<JobGroupStatus, Long> jobAllocations(List<Allocation> allocs) {
    Map<JobGroupStatus, Long> out = new TreeMap<>();
    for (Allocation a : allocs) {
      out.merge(new JobGroupStatus(a.getJob(), a.getGroup(), label(a.getClientStatus().name(), "CLIENT_STATUS_")), 1L, Long::sum);
    }
    return out;
  }

  /** One series of {@code gantry_job_desired_allocations}. */
  record JobGroup(String job, String group) implements Comparable<JobGroup> {
    @Override
    public int compareTo(JobGroup o) {
      int c = job.compareTo(o.job);
      return c != 0 ? c : group.compareTo(o.group);
    }
  }

  static Map<JobGroup, Long> desiredAllocations(Collection<Job> jobs) {
    Map<JobGroup, Long> out = new TreeMap<>();
    for (Job j : jobs) {
      if (j.getSpec().getType().equals("system")) continue;
      boolean stopped = j.getStatus() == JobStatus.JOB_STATUS_STOPPED;
      for (GroupSpec g : j.getSpec().getGroupsList()) {
        out.put(new JobGroup(j.getName(), g.getName()), stopped ? 0L : g.getCount());
      }
    }
    return out;
  }

  private static boolean known(Enum<?> status) {
    return !status.name().endsWith("_UNSPECIFIED") && !status.name().equals("UNRECOGNIZED");
  }

  static String label(String enumName, String prefix) {
    String bare = enumName.startsWith(prefix) ? enumName.substring(prefix.length()) : enumName;
    return bare.toLowerCase(Locale.ROOT);
  }
}
