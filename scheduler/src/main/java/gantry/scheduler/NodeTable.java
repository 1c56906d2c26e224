package gantry.scheduler;

import gantry.v1.Node;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The node side of a {@link ClusterSnapshot}, immutable: nodes in a dense array sorted by id,
 * their capacity and reserved ports as primitive arrays, the schedulable (ready, eligible, not
 * draining) nodes, and posting lists {@code attribute -> value -> nodes} over {@code label.*},
 * {@code attr.*}, {@code node.name} and the drivers of those nodes.
 *
 * <p>It depends on the nodes only, not on allocations, so a caller that keeps snapshots
 * coming (the leader) builds it again only when a node changes and shares it between
 * snapshots meanwhile.
 */
public final class NodeTable {
  private static final int[] NONE = new int[0];
  /** Posting lists with at least this many nodes also get a bit-set copy. */
  private static final int BITS_MIN = 64;

  private final Node[] nodes;
  private final Map<String, Integer> nodeById;
  private final long[] cpuCap;
  private final long[] memCap;
  private final BitSet[] reserved;
  private final int[] readyEligible;
  private final BitSet readyEligibleSet;
  private final Map<String, Map<String, int[]>> postings;
  private final Map<String, Map<String, BitSet>> postingBits;

  private NodeTable(Collection<Node> nodeList) {
    this.nodes = nodeList.stream().sorted(Comparator.comparing(Node::getId)).toArray(Node[]::new);
    this.nodeById = new HashMap<>(nodes.length * 2);
    this.cpuCap = new long[nodes.length];
    this.memCap = new long[nodes.length];
    this.reserved = new BitSet[nodes.length];
    for (int i = 0; i < nodes.length; i++) {
      if (nodeById.put(nodes[i].getId(), i) != null) {
        throw new IllegalArgumentException("duplicate node id " + nodes[i].getId());
      }
      cpuCap[i] = nodes[i].getCapacity().getCpu();
      memCap[i] = nodes[i].getCapacity().getMemory();
      BitSet ports = new BitSet();
      for (int p : nodes[i].getReservedPortsList()) {
        if (p > 0) {
          ports.set(p);
        }
      }
      reserved[i] = ports;
    }
    int[] ready = new int[nodes.length];
    int count = 0;
    Map<String, Map<String, List<Integer>>> raw = new HashMap<>();
    for (int i = 0; i < nodes.length; i++) {
      if (!NodeFit.isSchedulable(nodes[i])) {
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
      n.getDriversList().forEach(d -> raw.computeIfAbsent(ClusterSnapshot.DRIVER, x -> new HashMap<>())
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

  /** Indexes {@code nodes} (ids must be unique). */
  public static NodeTable of(Collection<Node> nodes) {
    return new NodeTable(nodes);
  }

  public int size() {
    return nodes.length;
  }

  public Node node(int i) {
    return nodes[i];
  }

  /** The dense index of a node id, or -1. */
  public int indexOf(String id) {
    Integer i = nodeById.get(id);
    return i == null ? -1 : i;
  }

  /** The node's reserved host ports. Do not mutate. */
  public BitSet reservedPorts(int node) {
    return reserved[node];
  }

  long[] cpuCapacity() {
    return cpuCap;
  }

  long[] memCapacity() {
    return memCap;
  }

  int[] schedulableNodes() {
    return readyEligible;
  }

  BitSet schedulableSet() {
    return (BitSet) readyEligibleSet.clone();
  }

  Map<String, int[]> postings(String attribute) {
    return postings.getOrDefault(attribute, Map.of());
  }

  BitSet postingBits(String attribute, String value) {
    Map<String, BitSet> m = postingBits.get(attribute);
    return m == null ? null : m.get(value);
  }

  int[] schedulableWith(String attribute, String value) {
    Map<String, int[]> m = postings.get(attribute);
    if (m == null) {
      return NONE;
    }
    return m.getOrDefault(value, NONE);
  }

  Collection<Node> nodes() {
    return Arrays.asList(nodes);
  }
}
