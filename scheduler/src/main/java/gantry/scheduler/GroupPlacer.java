package gantry.scheduler;

import gantry.scheduler.feasible.FilterChain;
import gantry.scheduler.feasible.PlacementContext;
import gantry.scheduler.feasible.PortAssigner;
import gantry.scheduler.rank.AffinityScorer;
import gantry.scheduler.rank.CandidateQueue;
import gantry.scheduler.rank.Ranker;
import gantry.scheduler.rank.SpreadScorer;
import gantry.scheduler.reconcile.Decision;
import gantry.v1.Affinity;
import gantry.v1.Allocation;
import gantry.v1.AllocatedPort;
import gantry.v1.ClientStatus;
import gantry.v1.DesiredStatus;
import gantry.v1.Job;
import gantry.v1.Node;
import gantry.v1.PlacementFailure;
import gantry.v1.Resources;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Places the {@link Decision.Place}s of one group into the plan being built, and explains
 * the ones it could not place.
 *
 * <p>A replacement that stops its previous allocation (version update, migration) first
 * releases the old allocation's resources; if no node is found the release is undone and
 * the old allocation keeps running, so an update never lowers the running count.
 */
final class GroupPlacer {
  private final PlacementContext ctx;
  private final FilterChain chain;
  private final Job job;
  private final String evalId;
  private final List<Allocation> placements;
  private final List<AllocUpdate> updates;
  private final Resources resources;

  GroupPlacer(PlacementContext ctx, FilterChain chain, Job job, String evalId, List<Allocation> placements,
      List<AllocUpdate> updates) {
    this.ctx = ctx;
    this.chain = chain;
    this.job = job;
    this.evalId = evalId;
    this.placements = placements;
    this.updates = updates;
    this.resources = Resources.newBuilder().setCpu(ctx.ask().cpu()).setMemory(ctx.ask().memory()).build();
  }

  private static List<Decision.Place> places(List<Decision> decisions) {
    List<Decision.Place> out = new ArrayList<>();
    for (Decision d : decisions) {
      if (d instanceof Decision.Place p) {
        out.add(p);
      }
    }
    // Replacements first (they free what they replace), then new slots by index.
    out.sort(Comparator.<Decision.Place>comparingInt(p -> p.previous() != null && !p.stopPrevious().isEmpty() ? 0 : 1)
        .thenComparingInt(Decision.Place::index));
    return out;
  }

  /** Service and batch groups: any node, best score first. Returns the failure or null. */
  PlacementFailure place(List<Decision> decisions) {
    ClusterSnapshot snap = ctx.snapshot();
    int[] candidates = chain.staticCandidates(ctx);
    List<Node> existing = new ArrayList<>();
    for (Decision d : decisions) {
      Allocation stays = d instanceof Decision.Keep k ? k.alloc() : d instanceof Decision.UpdateInPlace u ? u.alloc() : null;
      if (stays != null && snap.nodeIndex(stays.getNodeId()) >= 0) {
        existing.add(snap.node(snap.nodeIndex(stays.getNodeId())));
      }
    }
    List<Affinity> affinities = new ArrayList<>(ctx.job().getAffinitiesList());
    affinities.addAll(ctx.group().getAffinitiesList());
    List<Decision.Place> places = places(decisions);
    CandidateQueue queue = new CandidateQueue(ctx, candidates, Ranker.of(ctx.group().getPlacement()),
        new AffinityScorer(affinities), new SpreadScorer(ctx.group().getSpreadList(), ctx.desiredCount(),
            snap, candidates, existing), places.size());
    int unplaced = 0;
    for (Decision.Place p : places) {
      if (p.startFirst()) {
        int beside = pick(queue);
        if (beside >= 0) {
          commit(p, beside, false);
          queue.placed(beside);
          queue.refresh(beside);
          continue;
        }
        if (p.canary()) {
          unplaced++; // a canary never stops what it is to be compared with
          continue;
        }
        // No node has room for both: this replacement is stop_first after all.
        p = new Decision.Place(p.group(), p.index(), p.previous(),
            p.stopPrevious() + " (stop_first: no room for its replacement beside it)", p.pinnedNodeId(), p.reason());
      }
      int prevNode = release(p);
      if (prevNode >= 0) {
        queue.refresh(prevNode);
      }
      int node = pick(queue);
      if (node < 0) {
        unplaced++;
        if (prevNode >= 0) {
          restore(p, prevNode);
          queue.refresh(prevNode);
        }
        continue;
      }
      commit(p, node);
      queue.placed(node);
      queue.refresh(node);
    }
    return unplaced == 0 ? null : chain.explain(ctx, unplaced, null);
  }

  /** System groups: each placement on its one target node. Returns the failure or null. */
  PlacementFailure placePinned(List<Decision> decisions) {
    ClusterSnapshot snap = ctx.snapshot();
    Map<String, Integer> counts = new LinkedHashMap<>();
    int unplaced = 0;
    int evaluated = 0;
    for (Decision.Place p : places(decisions)) {
      int node = snap.nodeIndex(p.pinnedNodeId());
      evaluated++;
      int prevNode = release(p);
      String why = node < 0 ? "node removed" : chain.dynamicReject(node, ctx);
      if (why != null) {
        unplaced++;
        counts.merge(why, 1, Integer::sum);
        if (prevNode >= 0) {
          restore(p, prevNode);
        }
        continue;
      }
      commit(p, node);
    }
    return unplaced == 0 ? null : FilterChain.failure(unplaced, evaluated, counts);
  }

  private int pick(CandidateQueue queue) {
    while (true) {
      int node = queue.best();
      if (node < 0 || chain.dynamicReject(node, ctx) == null) {
        return node;
      }
      queue.drop(node);
    }
  }

  /** Frees the previous allocation of an update or migration; returns its node or -1. */
  private int release(Decision.Place p) {
    Allocation prev = p.previous();
    if (prev == null || p.stopPrevious().isEmpty() || !AllocationRules.isLive(prev)) {
      return -1;
    }
    int n = ctx.snapshot().nodeIndex(prev.getNodeId());
    if (n >= 0) {
      ctx.ledger().release(n, prev);
      ctx.groupCount()[n]--;
    }
    return n;
  }

  private void restore(Decision.Place p, int prevNode) {
    ctx.ledger().add(prevNode, p.previous());
    ctx.groupCount()[prevNode]++;
  }

  private void commit(Decision.Place p, int node) {
    commit(p, node, true);
  }

  /** Places {@code p} on {@code node}; stops its previous allocation there and then only if {@code stopPrevious}. */
  private void commit(Decision.Place p, int node, boolean stopPrevious) {
    Node n = ctx.snapshot().node(node);
    List<AllocatedPort> ports = PortAssigner.assign(ctx.ledger().ports(node), ctx.ask(), ctx.seed(), placements.size());
    Allocation a = Allocation.newBuilder()
        .setId(ctx.seed().nextAllocId())
        .setJob(job.getName())
        .setJobVersion(job.getVersion())
        .setGroup(p.group())
        .setIndex(p.index())
        .setNodeId(n.getId())
        .setNodeName(n.getName())
        .setDesiredStatus(DesiredStatus.DESIRED_STATUS_RUN)
        .setDesiredDescription(p.reason())
        .setClientStatus(ClientStatus.CLIENT_STATUS_PENDING)
        .setResources(resources)
        .addAllPorts(ports)
        .setEvalId(evalId)
        .setPreviousAllocation(p.previous() == null ? "" : p.previous().getId())
        .setCanary(p.canary())
        .build();
    placements.add(a);
    ctx.ledger().add(node, a);
    ctx.groupCount()[node]++;
    if (stopPrevious && p.previous() != null && !p.stopPrevious().isEmpty() && AllocationRules.isLive(p.previous())) {
      updates.add(AllocUpdate.stop(p.previous().getId(), p.previous().getNodeId(), p.stopPrevious(), a.getId()));
    }
  }
}
