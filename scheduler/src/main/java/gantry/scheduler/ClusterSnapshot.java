package gantry.scheduler;

import gantry.v1.Allocation;
import gantry.v1.ClientStatus;
import gantry.v1.Deployment;
import gantry.v1.DesiredStatus;
import gantry.v1.Job;
import gantry.v1.Node;
import gantry.v1.NodeStatus;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An immutable view of nodes, jobs and allocations at one Raft index.
 *
 * <p>The nodes are a {@link NodeTable}: a dense array sorted by id, so the rest of the
 * scheduler works on {@code int} node indexes and primitive usage arrays, with posting lists
 * {@code attribute -> value -> nodes} over the schedulable nodes so an equality constraint
 * narrows the candidates without scanning every node. On top of it: per-node usage (cpu,
 * memory, host ports) of the live allocations, and the jobs and allocations in scope.
 *
 * <p>Built from everything ({@link #of(long, Collection, Collection, Collection)}) a snapshot
 * holds every job and allocation. The leader instead assembles one per evaluation from parts
 * it maintains ({@link #of(long, NodeTable, long[], long[], BitSet[], Collection, Collection)}):
 * usage of the whole cluster, but only the evaluated job and its allocations, which is all the
 * scheduler and the {@link PlanChecker} look up.
 */
public final class ClusterSnapshot {
  /** The posting-list key for the drivers of a node (multi-valued). */
  public static final String DRIVER = "driver";

  private final long index;
  private final NodeTable table;
  private final Map<String, Job> jobs;
  private final Map<String, Allocation> allocs;
  private final Map<String, List<Allocation>> allocsByJob;
  private final long[] cpuUsed;
  private final long[] memUsed;
  private final BitSet[] portsUsed;
  /** job -> its deployment that has not ended ({@link #withDeployments}); empty by default. */
  private final Map<String, Deployment> deployments;

  /** A copy of {@code s} with other deployments. */
  private ClusterSnapshot(ClusterSnapshot s, Map<String, Deployment> deployments) {
    this.index = s.index;
    this.table = s.table;
    this.jobs = s.jobs;
    this.allocs = s.allocs;
    this.allocsByJob = s.allocsByJob;
    this.cpuUsed = s.cpuUsed;
    this.memUsed = s.memUsed;
    this.portsUsed = s.portsUsed;
    this.deployments = deployments;
  }

  private ClusterSnapshot(long index, NodeTable table, long[] cpuUsed, long[] memUsed, BitSet[] portsUsed,
      Collection<Job> jobList, Collection<Allocation> allocList) {
    int n = table.size();
    if (cpuUsed.length != n || memUsed.length != n || portsUsed.length != n) {
      throw new IllegalArgumentException("usage arrays must have one entry per node (" + n + ")");
    }
    this.index = index;
    this.table = table;
    this.cpuUsed = cpuUsed;
    this.memUsed = memUsed;
    this.portsUsed = portsUsed;
    Map<String, Job> jobMap = new LinkedHashMap<>();
    jobList.stream().sorted(Comparator.comparing(Job::getName)).forEach(j -> jobMap.put(j.getName(), j));
    this.jobs = Map.copyOf(jobMap);
    Map<String, Allocation> allocMap = new HashMap<>(allocList.size() * 2);
    Map<String, List<Allocation>> byJob = new HashMap<>();
    List<Allocation> sortedAllocs = new ArrayList<>(allocList);
    sortedAllocs.sort(Comparator.comparing(Allocation::getId));
    for (Allocation a : sortedAllocs) {
      allocMap.put(a.getId(), a);
      byJob.computeIfAbsent(a.getJob(), k -> new ArrayList<>()).add(a);
    }
    this.allocs = allocMap;
    byJob.replaceAll((k, v) -> List.copyOf(v));
    this.allocsByJob = byJob;
    this.deployments = Map.of();
  }

  /**
   * This snapshot with the deployments that have not ended (running, paused or blocked, at most
   * one per job): the reconciler reads a group's canary phase and a pause from them.
   */
  public ClusterSnapshot withDeployments(Collection<Deployment> active) {
    Map<String, Deployment> m = new HashMap<>();
    for (Deployment d : active) m.put(d.getJob(), d);
    return new ClusterSnapshot(this, Map.copyOf(m));
  }

  /** The deployment of {@code job} that has not ended, if the snapshot was given one. */
  public java.util.Optional<Deployment> deployment(String job) {
    return java.util.Optional.ofNullable(deployments.get(job));
  }

  /** Builds a snapshot at Raft index {@code index} from every node, job and allocation. */
  public static ClusterSnapshot of(long index, Collection<Node> nodes, Collection<Job> jobs,
      Collection<Allocation> allocs) {
    return of(index, NodeTable.of(nodes), jobs, allocs);
  }

  private static ClusterSnapshot of(long index, NodeTable table, Collection<Job> jobs, Collection<Allocation> allocs) {
    int n = table.size();
    long[] cpu = new long[n];
    long[] mem = new long[n];
    BitSet[] ports = new BitSet[n];
    for (int i = 0; i < n; i++) {
      ports[i] = (BitSet) table.reservedPorts(i).clone();
    }
    for (Allocation a : allocs) {
      int i = table.indexOf(a.getNodeId());
      if (i >= 0 && AllocationRules.isLive(a)) {
        cpu[i] += a.getResources().getCpu();
        mem[i] += a.getResources().getMemory();
        a.getPortsList().forEach(p -> ports[i].set(p.getHost()));
      }
    }
    return new ClusterSnapshot(index, table, cpu, mem, ports, jobs, allocs);
  }

  /**
   * A snapshot assembled from parts the caller keeps up to date: the node table; the usage of
   * the live allocations per node, indexed like the table (cpu, memory, host ports including
   * the reserved ones); and the jobs and allocations in scope, which serve lookups only
   * ({@link #job}, {@link #alloc}, {@link #allocsOfJob}). The arrays and bit sets are taken
   * over, not copied: the caller must not change them afterwards.
   */
  public static ClusterSnapshot of(long index, NodeTable table, long[] cpuUsed, long[] memUsed, BitSet[] portsUsed,
      Collection<Job> jobs, Collection<Allocation> allocs) {
    return new ClusterSnapshot(index, table, cpuUsed, memUsed, portsUsed, jobs, allocs);
  }

  public long index() {
    return index;
  }

  public int nodeCount() {
    return table.size();
  }

  public Node node(int i) {
    return table.node(i);
  }

  /** The dense index of a node id, or -1. */
  public int nodeIndex(String id) {
    return table.indexOf(id);
  }

  /** The node side of this snapshot. */
  public NodeTable nodeTable() {
    return table;
  }

  public Job job(String name) {
    return jobs.get(name);
  }

  public Collection<Job> jobs() {
    return jobs.values();
  }

  public Allocation alloc(String id) {
    return allocs.get(id);
  }

  public Collection<Allocation> allocs() {
    return allocs.values();
  }

  /** All allocations of a job (any status), sorted by id. */
  public List<Allocation> allocsOfJob(String job) {
    return allocsByJob.getOrDefault(job, List.of());
  }

  /** Capacity as primitive arrays: scoring reads them once per candidate. Do not mutate. */
  long[] cpuCapacity() {
    return table.cpuCapacity();
  }

  long[] memCapacity() {
    return table.memCapacity();
  }

  /** Usage of the live allocations, per node. Do not mutate. */
  long[] cpuUsage() {
    return cpuUsed;
  }

  long[] memUsage() {
    return memUsed;
  }

  public long cpuUsed(int node) {
    return cpuUsed[node];
  }

  public long memUsed(int node) {
    return memUsed[node];
  }

  /** Host ports in use on a node: reserved ones plus those of live allocations. Do not mutate. */
  BitSet portsUsedView(int node) {
    return portsUsed[node];
  }

  public boolean portUsed(int node, int port) {
    return portsUsed[node].get(port);
  }

  /** Indexes of the ready, eligible, non-draining nodes, ascending. Do not mutate. */
  public int[] schedulableNodes() {
    return table.schedulableNodes();
  }

  /** The schedulable nodes as a fresh bit set the caller may change. */
  public BitSet schedulableSet() {
    return table.schedulableSet();
  }

  /**
   * The index of one attribute over the schedulable nodes: value -> nodes (ascending), empty
   * when no node has it. Do not mutate.
   */
  public Map<String, int[]> postings(String attribute) {
    return table.postings(attribute);
  }

  /**
   * Adds the schedulable nodes whose {@code attribute} equals {@code value} to {@code into}:
   * a word-wise OR for large posting lists, bit by bit for small ones.
   */
  public void orInto(String attribute, String value, BitSet into) {
    BitSet b = table.postingBits(attribute, value);
    if (b != null) {
      into.or(b);
      return;
    }
    for (int n : schedulableWith(attribute, value)) {
      into.set(n);
    }
  }

  /** Schedulable nodes whose {@code attribute} equals {@code value}, ascending. Do not mutate. */
  public int[] schedulableWith(String attribute, String value) {
    return table.schedulableWith(attribute, value);
  }

  /** Whether the posting lists cover {@code attribute} (node.name, label.*, attr.*; also "driver"). */
  public static boolean indexable(String attribute) {
    return attribute.equals("node.name") || attribute.startsWith("label.") || attribute.startsWith("attr.");
  }

  /**
   * The snapshot after a plan is committed: placements added, updates applied. Used by tests
   * and simulations; the real state machine does the same through Raft records.
   */
  public ClusterSnapshot apply(Plan plan, long newIndex) {
    Map<String, Allocation> next = new HashMap<>(allocs);
    for (AllocUpdate u : plan.updates()) {
      Allocation a = next.get(u.allocId());
      if (a != null) {
        Allocation.Builder b = a.toBuilder().setDesiredStatus(u.desiredStatus())
            .setDesiredDescription(u.description());
        if (u.clientStatus() != ClientStatus.CLIENT_STATUS_UNSPECIFIED) {
          b.setClientStatus(u.clientStatus());
        }
        next.put(a.getId(), b.build());
      }
    }
    for (Allocation a : plan.placements()) {
      next.put(a.getId(), a);
    }
    for (Allocation a : plan.inPlace()) {
      next.put(a.getId(), a);
    }
    return of(newIndex, table, jobs.values(), next.values()).withDeployments(deployments.values());
  }

  /** A copy with a node added or replaced (same id). For tests and simulations. */
  public ClusterSnapshot withNode(Node node, long newIndex) {
    Map<String, Node> m = new LinkedHashMap<>();
    for (Node n : table.nodes()) {
      m.put(n.getId(), n);
    }
    m.put(node.getId(), node);
    return of(newIndex, m.values(), jobs.values(), allocs.values());
  }

  /** A copy with a job added or replaced (same name). For tests and simulations. */
  public ClusterSnapshot withJob(Job job, long newIndex) {
    Map<String, Job> m = new LinkedHashMap<>(jobs);
    m.put(job.getName(), Objects.requireNonNull(job));
    return of(newIndex, table, m.values(), allocs.values());
  }
}
