package gantry.node.leader;

import gantry.scheduler.AllocationRules;
import gantry.node.state.Changes;
import gantry.node.state.ClusterState;
import gantry.scheduler.AllocUpdate;
import gantry.scheduler.ClusterSnapshot;
import gantry.scheduler.NodeTable;
import gantry.scheduler.Plan;
import gantry.scheduler.PlanCheck;
import gantry.scheduler.PlanChecker;
import gantry.v1.AllocatedPort;
import gantry.v1.Allocation;
import gantry.v1.Job;
import gantry.v1.Node;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The leader's view of the cluster for scheduling, kept up to date from applied entries
 * rather than rebuilt for every evaluation:
 *
 * <ul>
 *   <li>the {@link NodeTable}, built again only after a node itself changed;
 *   <li>per node, the usage (cpu, memory, host ports) of the committed live allocations,
 *       recomputed from the state for the nodes an applied entry touched;
 *   <li>the plans in flight: accepted by the applier and proposed, not yet applied.
 * </ul>
 *
 * A snapshot for one evaluation then costs O(nodes + the job's allocations), plus the host
 * ports of plans in flight that take any, instead of O(nodes + every allocation). Plans in
 * flight count as used (their cpu and memory kept per node as they come and go), so a
 * worker scheduling now sees what the applier already accepted, and the applier checks each
 * plan against all of them: plans proposed together in one Raft entry cannot over-commit a
 * node together. A plan leaves the flight when its entry is applied (its allocations are then
 * in the committed usage, minus whatever replay dropped) or when its proposal fails.
 *
 * <p>Every method holds the view's lock; {@link #applied} runs on the apply thread, right
 * after the entry was replayed. The state is read through a supplier: installing a Raft
 * snapshot replaces it.
 */
final class SchedulingView {
  private record InFlight(List<Allocation> placed, List<Allocation> stopped, boolean ports) {}

  private final Supplier<ClusterState> state;
  private final LongSupplier appliedIndex;
  private NodeTable table = NodeTable.of(List.of());
  private long[] cpu = new long[0];
  private long[] mem = new long[0];
  private BitSet[] ports = new BitSet[0];
  /** CPU and memory of the plans in flight per node (placed minus stopped), kept as they come and go. */
  private long[] flightCpu = new long[0];
  private long[] flightMem = new long[0];
  /** The table no longer matches the nodes; rebuilt before the next snapshot. */
  private boolean stale = true;
  /** Everything must be recomputed (this peer just became leader). */
  private boolean reset = true;
  /** Nodes touched while the table was stale: their usage is recomputed on rebuild. */
  private final Set<String> dirty = new HashSet<>();
  private final Map<String, InFlight> inFlight = new LinkedHashMap<>();

  SchedulingView(Supplier<ClusterState> state, LongSupplier appliedIndex) {
    this.state = state;
    this.appliedIndex = appliedIndex;
  }

  /** Forgets everything; the next snapshot recomputes the view from the state (leader change). */
  synchronized void reset() {
    reset = true;
    stale = true;
    dirty.clear();
    inFlight.clear();
  }

  /** An entry was applied: its plans land, the usage of the nodes it touched is recomputed. */
  synchronized void applied(Changes changes) {
    for (String id : changes.appliedPlans()) land(inFlight.remove(id));
    if (reset) return;
    ClusterState s = state.get();
    for (String id : changes.touchedNodes()) {
      if (stale) {
        dirty.add(id);
        continue;
      }
      int i = table.indexOf(id);
      Node now = s.node(id).orElse(null);
      if (i < 0 || now != table.node(i)) {
        stale = true;
        dirty.add(id);
      } else {
        recompute(s, i);
      }
    }
  }

  /** A proposal failed: its plan is no longer in flight (if it commits after all, {@link #applied} counts it). */
  synchronized void abandon(String evalId) {
    land(inFlight.remove(evalId));
  }

  private void land(InFlight f) {
    if (f != null) fly(f, -1);
  }

  /** Adds ({@code sign} 1) or removes (-1) a plan's cpu and memory to the flight arrays (rebuilt anyway while stale). */
  private void fly(InFlight f, int sign) {
    if (stale) return;
    for (Allocation a : f.placed()) flyOne(a, sign);
    for (Allocation a : f.stopped()) flyOne(a, -sign);
  }

  private void flyOne(Allocation a, int sign) {
    int i = table.indexOf(a.getNodeId());
    if (i < 0) return;
    flightCpu[i] += sign * a.getResources().getCpu();
    flightMem[i] += sign * a.getResources().getMemory();
  }

  synchronized int inFlightCount() {
    return inFlight.size();
  }

  /** The snapshot one evaluation of {@code job} is scheduled on: all nodes, that job and its allocations. */
  synchronized ClusterSnapshot snapshot(String job) {
    refresh();
    ClusterState s = state.get();
    long index = appliedIndex.getAsLong();
    int n = cpu.length;
    long[] c = new long[n];
    long[] m = new long[n];
    for (int i = 0; i < n; i++) {
      c[i] = cpu[i] + flightCpu[i];
      m[i] = mem[i] + flightMem[i];
    }
    BitSet[] p = ports.clone();
    BitSet copied = new BitSet(n);
    for (InFlight f : inFlight.values()) {
      if (!f.ports()) continue;
      for (Allocation a : f.placed()) ports(a, true, p, copied);
      for (Allocation a : f.stopped()) ports(a, false, p, copied);
    }
    Job j = s.job(job).orElse(null);
    return ClusterSnapshot.of(index, table, c, m, p, j == null ? List.of() : List.of(j), s.allocsOfJobUnordered(job))
        .withDeployments(s.activeDeployment(job).map(List::of).orElse(List.of()));
  }

  /**
   * Checks {@code plan} against the newest state plus every plan in flight and, in the same
   * step, puts the accepted part in flight under {@code evalId}.
   */
  synchronized PlanCheck accept(String evalId, Plan plan) {
    ClusterSnapshot newest = snapshot(plan.job());
    PlanCheck check = PlanChecker.check(newest, plan);
    Plan accepted = check.accepted();
    List<Allocation> stopped = new ArrayList<>();
    for (AllocUpdate u : accepted.updates()) {
      Allocation a = newest.alloc(u.allocId());
      if (a != null && AllocationRules.isLive(a)) stopped.add(a);
    }
    if (!accepted.placements().isEmpty() || !stopped.isEmpty()) {
      boolean withPorts = accepted.placements().stream().anyMatch(a -> a.getPortsCount() > 0)
          || stopped.stream().anyMatch(a -> a.getPortsCount() > 0);
      InFlight f = new InFlight(accepted.placements(), stopped, withPorts);
      land(inFlight.put(evalId, f));
      fly(f, +1);
    }
    return check;
  }

  /** Host ports of an allocation in flight: taken by a placement, freed by a stop (reserved ones stay). */
  private void ports(Allocation a, boolean take, BitSet[] p, BitSet copied) {
    int i = table.indexOf(a.getNodeId());
    if (i < 0 || a.getPortsCount() == 0) return;
    if (!copied.get(i)) {
      p[i] = (BitSet) p[i].clone();
      copied.set(i);
    }
    for (AllocatedPort ap : a.getPortsList()) {
      if (take) {
        p[i].set(ap.getHost());
      } else if (!table.reservedPorts(i).get(ap.getHost())) {
        p[i].clear(ap.getHost());
      }
    }
  }

  /** Brings the table and the committed usage up to date with the state's nodes. */
  private void refresh() {
    if (!stale) return;
    ClusterState s = state.get();
    NodeTable next = NodeTable.of(s.nodes());
    int n = next.size();
    long[] c = new long[n];
    long[] m = new long[n];
    BitSet[] p = new BitSet[n];
    NodeTable old = table;
    long[] oldCpu = cpu;
    long[] oldMem = mem;
    BitSet[] oldPorts = ports;
    table = next;
    cpu = c;
    mem = m;
    ports = p;
    for (int i = 0; i < n; i++) {
      String id = next.node(i).getId();
      int j = old.indexOf(id);
      boolean same = !reset && j >= 0 && !dirty.contains(id)
          && old.node(j).getReservedPortsList().equals(next.node(i).getReservedPortsList());
      if (same) {
        c[i] = oldCpu[j];
        m[i] = oldMem[j];
        p[i] = oldPorts[j];
      } else {
        recompute(s, i);
      }
    }
    dirty.clear();
    stale = false;
    reset = false;
    flightCpu = new long[n];
    flightMem = new long[n];
    inFlight.values().forEach(f -> fly(f, +1));
  }

  /** Committed usage of node {@code i} from the state. The bit set is replaced, never changed: snapshots share it. */
  private void recompute(ClusterState s, int i) {
    long c = 0;
    long m = 0;
    BitSet p = (BitSet) table.reservedPorts(i).clone();
    for (Allocation a : s.allocsOfNodeUnordered(table.node(i).getId())) {
      if (!AllocationRules.isLive(a)) continue;
      c += a.getResources().getCpu();
      m += a.getResources().getMemory();
      for (AllocatedPort ap : a.getPortsList()) p.set(ap.getHost());
    }
    cpu[i] = c;
    mem[i] = m;
    ports[i] = p;
  }
}
