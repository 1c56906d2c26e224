package gantry.scheduler;

import gantry.scheduler.feasible.FilterChain;
import gantry.scheduler.feasible.PlacementContext;
import gantry.scheduler.reconcile.Decision;
import gantry.scheduler.reconcile.Reconciler;
import gantry.v1.Allocation;
import gantry.v1.Evaluation;
import gantry.v1.GroupSpec;
import gantry.v1.Job;
import gantry.v1.PlacementFailure;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The scheduler: a pure function {@code (ClusterSnapshot, Evaluation) -> Plan}.
 *
 * <p>Reconcile the job's groups against its allocations, apply every stop to a usage ledger,
 * then place each group in spec order through its filter chain and candidate queue. No I/O,
 * no threads, no clock; the only randomness is the {@link Seed} of the evaluation id, so the
 * same inputs always give the same plan. Instances hold no state and may be shared.
 */
public final class Scheduler {

  public Plan schedule(ClusterSnapshot snap, Evaluation eval) {
    Seed seed = Seed.of(eval.getId());
    Job job = snap.job(eval.getJob());
    UsageLedger ledger = new UsageLedger(snap);
    Map<String, GroupSpec> specs = new LinkedHashMap<>();
    if (job != null) {
      job.getSpec().getGroupsList().forEach(g -> specs.put(g.getName(), g));
    }
    Map<String, FilterChain> chains = new HashMap<>();
    Reconciler.SystemTargets targets = g -> {
      FilterChain chain = FilterChain.of(job.getSpec(), g);
      chains.put(g.getName(), chain);
      return chain.staticCandidates(
          new PlacementContext(snap, ledger, job.getSpec(), g, GroupAsk.of(g), null, 0, seed));
    };
    // An evaluation that waited (wait_until) runs at that time at the earliest.
    long now = Math.max(eval.getCreateTimeMs(), eval.getWaitUntilMs());
    List<Reconciler.GroupPlan> groups = new Reconciler(snap, now).reconcile(eval.getJob(), targets);

    List<AllocUpdate> updates = new ArrayList<>();
    List<Allocation> inPlace = new ArrayList<>();
    Set<String> stopped = new HashSet<>();
    int deferred = 0;
    long wakeAt = 0;
    for (Reconciler.GroupPlan gp : groups) {
      deferred += gp.deferredUpdates();
      if (gp.wakeAtMs() > 0) wakeAt = wakeAt == 0 ? gp.wakeAtMs() : Math.min(wakeAt, gp.wakeAtMs());
      for (Decision d : gp.decisions()) {
        if (d instanceof Decision.UpdateInPlace u) {
          inPlace.add(u.alloc().toBuilder().setJobVersion(job.getVersion()).setGroupSpec(specs.get(gp.group()))
              .setDesiredDescription("updated in place to version " + job.getVersion()).build());
        }
        if (d instanceof Decision.Stop s) {
          Allocation a = s.alloc();
          stopped.add(a.getId());
          int node = snap.nodeIndex(a.getNodeId());
          if (node >= 0 && AllocationRules.isLive(a)) {
            ledger.release(node, a);
          }
          updates.add(s.lost() ? AllocUpdate.lost(a.getId(), a.getNodeId(), s.description())
              : AllocUpdate.stop(a.getId(), a.getNodeId(), s.description(), ""));
        }
      }
    }
    List<Allocation> placements = new ArrayList<>();
    Map<String, PlacementFailure> failures = new LinkedHashMap<>();
    boolean system = job != null && job.getSpec().getType().equals("system");
    for (Reconciler.GroupPlan gp : groups) {
      GroupSpec g = specs.get(gp.group());
      if (g == null || gp.decisions().stream().noneMatch(d -> d instanceof Decision.Place)) {
        continue;
      }
      int desired = system ? (int) gp.decisions().stream().filter(d -> !(d instanceof Decision.Stop)).count()
          : (g.hasCount() ? g.getCount() : 1);
      PlacementContext ctx = new PlacementContext(snap, ledger, job.getSpec(), g, GroupAsk.of(g),
          groupCounts(snap, job.getName(), g.getName(), stopped), desired, seed);
      FilterChain chain = chains.computeIfAbsent(g.getName(), k -> FilterChain.of(job.getSpec(), g));
      GroupPlacer placer = new GroupPlacer(ctx, chain, job, eval.getId(), placements, updates);
      PlacementFailure f = system ? placer.placePinned(gp.decisions()) : placer.place(gp.decisions());
      if (f != null) {
        failures.put(g.getName(), f);
      }
    }
    return new Plan(eval.getId(), eval.getJob(), snap.index(), placements, updates, failures, deferred, inPlace, wakeAt);
  }

  /** Live allocations of the group per node, not counting the ones this plan stops. */
  private static int[] groupCounts(ClusterSnapshot snap, String job, String group, Set<String> stopped) {
    int[] counts = new int[snap.nodeCount()];
    for (Allocation a : snap.allocsOfJob(job)) {
      int n = snap.nodeIndex(a.getNodeId());
      if (n >= 0 && a.getGroup().equals(group) && AllocationRules.isLive(a) && !stopped.contains(a.getId())) {
        counts[n]++;
      }
    }
    return counts;
  }
}
