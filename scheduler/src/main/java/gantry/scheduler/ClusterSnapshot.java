package gantry.scheduler;

import gantry.v1.Allocation;
import gantry.v1.ClientStatus;
import gantry.v1.DesiredStatus;
import gantry.v1.Job;
import gantry.v1.Node;
import gantry.v1.NodeStatus;
import java.util.ArrayList;
import java.util.Arrays;
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
 * <p>Nodes are kept in a dense array sorted by id so the rest of the scheduler works on
 * {@code int} node indexes and primitive usage arrays. Built once per index, it carries:
 * per-node usage (cpu, memory, host ports) of the non-terminal allocations; the
 * ready-and-eligible nodes; and posting lists {@code attribute -> value -> nodes} over
 * {@code label.*}, {@code attr.*} and {@code node.name} of those nodes, so an equality
 * constraint narrows the candidates without scanning every node.
 */
public final class ClusterSnapshot {
  private static final int[] NONE = new int[0];
  /** The posting-list key for the drivers of a node (multi-valued). */
  public static final String DRIVER = "driver";

  private final long index;
  private final Node[] nodes;
  private final Map<String, Integer> nodeById;
  private final Map<String, Job> jobs;
  private final Map<String, Allocation> allocs;
  private final Map<String, List<Allocation>> allocsByJob;
  private final long[] cpuUsed;
  private final long[] memUsed;
  private final long[] cpuCap;
  private final long[] memCap;
  private final BitSet[] portsUsed;
  private final int[] readyEligible;
  private final BitSet readyEligibleSet;
  private final Map<String, Map<String, int[]>> postings;
  /** Bit-set copies of the posting lists with at least {@value #BITS_MIN} nodes. */
  private final Map<String, Map<String, BitSet>> postingBits;
  private static final int BITS_MIN = 64;

  private ClusterSnapshot(long index, Collection<Node> nodeList, Collection<Job> jobList,
      Collection<Allocation> allocList) {
    this.index = index;
    this.nodes = nodeList.stream().sorted(Comparator.comparing(Node::getId)).toArray(Node[]::new);
    this.nodeById = new HashMap<>(nodes.length * 2);
    for (int i = 0; i < nodes.length; i++) {
      if (nodeById.put(nodes[i].getId(), i) != null) {
        throw new IllegalArgumentException("duplicate node id " + nodes[i].getId());
      }
    }
    Map<String, Job> jobMap = new LinkedHashMap<>();
    jobList.stream().sorted(Comparator.comparing(Job::getName)).forEach(j -> jobMap.put(j.getName(), j));
    this.jobs = Map.copyOf(jobMap);
    this.cpuUsed = new long[nodes.length];
    this.memUsed = new long[nodes.length];
    this.cpuCap = new long[nodes.length];
    this.memCap = new long[nodes.length];
    for (int i = 0; i < nodes.length; i++) {
      cpuCap[i] = nodes[i].getCapacity().getCpu();
      memCap[i] = nodes[i].getCapacity().getMemory();
    }
    this.portsUsed = new BitSet[nodes.length];
    for (int i = 0; i < nodes.length; i++) {
      BitSet ports = new BitSet();
      for (int p : nodes[i].getReservedPortsList()) {
        if (p > 0) {
          ports.set(p);
        }
      }
      portsUsed[i] = ports;
    }
    Map<String, Allocation> allocMap = new HashMap<>(allocList.size() * 2);
    Map<String, List<Allocation>> byJob = new HashMap<>();
    List<Allocation> sortedAllocs = new ArrayList<>(allocList);
    sortedAllocs.sort(Comparator.comparing(Allocation::getId));
    for (Allocation a : sortedAllocs) {
      allocMap.put(a.getId(), a);
      byJob.computeIfAbsent(a.getJob(), k -> new ArrayList<>()).add(a);
      Integer n = nodeById.get(a.getNodeId());
      if (n != null && isLive(a)) {
        cpuUsed[n] += a.getResources().getCpu();
        memUsed[n] += a.getResources().getMemory();
        a.getPortsList().forEach(p -> portsUsed[n].set(p.getHost()));
      }
    }
    this.allocs = allocMap;
    byJob.replaceAll((k, v) -> List.copyOf(v));
    this.allocsByJob = byJob;
    int[] ready = new int[nodes.length];
    int count = 0;
    Map<String, Map<String, List<Integer>>> raw = new HashMap<>();
    for (int i = 0; i < nodes.length; i++) {
      if (!isSchedulable(nodes[i])) {
        continue;
      }
      ready[count++] = i;
      Node n = nodes[i];
      final int idx = i;
      raw.computeIfAbsent("node.name", k -> new HashMap<>())
          .computeIfAbsent(n.getName(), k -> new ArrayList<>()).add(idx);
      n.getLabelsMap().forEach((k, v) -> raw.computeIfAbsent("label." + k, x -> new HashMap<>())
          .computeIfAbsent(v, x -> new ArrayList<>()).add(idx));
      n.getAttributesMap().forEach((k, v) -> raw.computeIfAbsent("attr." + k, x -> new HashMap<>())
          .computeIfAbsent(v, x -> new ArrayList<>()).add(idx));
      n.getDriversList().forEach(d -> raw.computeIfAbsent(DRIVER, x -> new HashMap<>())
          .computeIfAbsent(d, x -> new ArrayList<>()).add(idx));
    }
    this.readyEligible = Arrays.copyOf(ready, count);
    this.readyEligibleSet = new BitSet(nodes.length);
    for (int i : readyEligible) {
      readyEligibleSet.set(i);
    }
    Map<String, Map<String, int[]>> post = new HashMap<>(raw.size() * 2);
    Map<String, Map<String, BitSet>> bits = new HashMap<>();
    raw.forEach((attr, values) -> {
      Map<String, int[]> m = new HashMap<>(values.size() * 2);
      values.forEach((v, list) -> {
        int[] nodesWith = list.stream().mapToInt(Integer::intValue).toArray();
        m.put(v, nodesWith);
        if (nodesWith.length >= BITS_MIN) {
          BitSet b = new BitSet(nodes.length);
          for (int n : nodesWith) {
            b.set(n);
          }
          bits.computeIfAbsent(attr, k -> new HashMap<>()).put(v, b);
        }
      });
      post.put(attr, m);
    });
    this.postings = post;
    this.postingBits = bits;
  }

  /** Builds a snapshot at Raft index {@code index}. */
  public static ClusterSnapshot of(long index, Collection<Node> nodes, Collection<Job> jobs,
      Collection<Allocation> allocs) {
    return new ClusterSnapshot(index, nodes, jobs, allocs);
  }

  /** Non-terminal: wanted running and not finished on the client. Only these use resources. */
  public static boolean isLive(Allocation a) {
    if (a.getDesiredStatus() != DesiredStatus.DESIRED_STATUS_RUN) {
      return false;
    }
    ClientStatus c = a.getClientStatus();
    return c != ClientStatus.CLIENT_STATUS_COMPLETE && c != ClientStatus.CLIENT_STATUS_FAILED
        && c != ClientStatus.CLIENT_STATUS_LOST;
  }

  /** A node that may receive new allocations: ready, eligible, not draining. */
  public static boolean isSchedulable(Node n) {
    return n.getStatus() == NodeStatus.NODE_STATUS_READY && n.getEligible() && !n.getDraining();
  }

  public long index() {
    return index;
  }

  public int nodeCount() {
    return nodes.length;
  }

  public Node node(int i) {
    return nodes[i];
  }

  /** The dense index of a node id, or -1. */
  public int nodeIndex(String id) {
    Integer i = nodeById.get(id);
    return i == null ? -1 : i;
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
    return cpuCap;
  }

  long[] memCapacity() {
    return memCap;
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
    return readyEligible;
  }

  /** The schedulable nodes as a fresh bit set the caller may change. */
  public BitSet schedulableSet() {
    return (BitSet) readyEligibleSet.clone();
  }

  /**
   * The index of one attribute over the schedulable nodes: value -> nodes (ascending), empty
   * when no node has it. Do not mutate.
   */
  public Map<String, int[]> postings(String attribute) {
    return postings.getOrDefault(attribute, Map.of());
  }

  /**
   * Adds the schedulable nodes whose {@code attribute} equals {@code value} to {@code into}:
   * a word-wise OR for large posting lists, bit by bit for small ones.
   */
  public void orInto(String attribute, String value, BitSet into) {
    Map<String, BitSet> m = postingBits.get(attribute);
    BitSet b = m == null ? null : m.get(value);
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
    Map<String, int[]> m = postings.get(attribute);
    if (m == null) {
      return NONE;
    }
    return m.getOrDefault(value, NONE);
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
    return new ClusterSnapshot(newIndex, Arrays.asList(nodes), jobs.values(), next.values());
  }

  /** A copy with a node added or replaced (same id). For tests and simulations. */
  public ClusterSnapshot withNode(Node node, long newIndex) {
    Map<String, Node> m = new LinkedHashMap<>();
    for (Node n : nodes) {
      m.put(n.getId(), n);
    }
    m.put(node.getId(), node);
    return new ClusterSnapshot(newIndex, m.values(), jobs.values(), allocs.values());
  }

  /** A copy with a job added or replaced (same name). For tests and simulations. */
  public ClusterSnapshot withJob(Job job, long newIndex) {
    Map<String, Job> m = new LinkedHashMap<>(jobs);
    m.put(job.getName(), Objects.requireNonNull(job));
    return new ClusterSnapshot(newIndex, Arrays.asList(nodes), m.values(), allocs.values());
  }
}
