package gantry.scheduler.reconcile;

import gantry.scheduler.AllocationRules;
import gantry.scheduler.ClusterSnapshot;
import gantry.v1.Allocation;
import gantry.v1.ClientStatus;
import gantry.v1.Deployment;
import gantry.v1.DeploymentGroup;
import gantry.v1.DeploymentStatus;
import gantry.v1.GroupSpec;
import gantry.v1.Job;
import gantry.v1.JobStatus;
import gantry.v1.Node;
import gantry.v1.NodeStatus;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Desired (the job spec) against actual (the job's allocations) per task group, as
 * {@link Decision}s. No placement happens here.
 *
 * <p>Per slot of a service or batch group (index 0..count-1): one live allocation is kept,
 * extra ones stopped; a live allocation on a down or missing node is stopped as lost and
 * replaced; one on a draining or ineligible node is migrated (replacement placed, old stopped
 * once it is); one of an older job version is replaced as far as {@link RollingUpdate} allows
 * (max_parallel not yet healthy at a time), the rest deferred until health reports come in. An empty slot
 * is placed, except in a batch group whose slot already COMPLETEd at the current version.
 * One of an older version whose tasks did not change ({@link InPlace}) and whose node still
 * passes the static filters is updated in place instead of replaced. While the job's
 * deployment is paused nothing is replaced; while a group is in its canary phase, canaries of
 * the current version are placed beside old allocations (which keep running until promotion)
 * and nothing else is replaced.
 * Live allocations at index >= count are stopped (scale-down stops the highest indexes).
 *
 * <p>System groups: one allocation per target node (schedulable and passing the group's
 * static filters, supplied by the caller), kept, updated in place or placed; allocations on
 * nodes that are no longer targets are stopped (lost if the node is down). Their updates go
 * node by node (stop_first on the same node), max_parallel at a time, with a pause of
 * {@code stagger} after each set became healthy.
 */
public final class Reconciler {
  /**
   * The nodes that pass a group's static filters, as ascending snapshot indexes: where a system
   * group must run, and where an allocation updated in place may stay.
   */
  @FunctionalInterface
  public interface SystemTargets {
    int[] nodesFor(GroupSpec group);
  }

  /**
   * Decisions for one group, how many version updates were deferred, and when to evaluate again
   * because a system job's stagger holds updates back ({@code wakeAtMs}, 0 = no need).
   */
  public record GroupPlan(String group, List<Decision> decisions, int deferredUpdates, long wakeAtMs) {
    public GroupPlan {
      decisions = List.copyOf(decisions);
    }

    GroupPlan(String group, List<Decision> decisions, int deferredUpdates) {
      this(group, decisions, deferredUpdates, 0);
    }
  }

  private final ClusterSnapshot snap;
  private final long nowMs;

  /**
   * @param nowMs the evaluation's time (leader clock, from its record): a system job's stagger
   *     is measured against it
   */
  public Reconciler(ClusterSnapshot snap, long nowMs) {
    this.snap = snap;
    this.nowMs = nowMs;
  }

  /**
   * @param jobName the job of the evaluation
   * @param targets the system job node sets (ignored for other job types)
   */
  public List<GroupPlan> reconcile(String jobName, SystemTargets targets) {
    Job job = snap.job(jobName);
    List<Allocation> allocs = snap.allocsOfJob(jobName);
    Map<String, List<Allocation>> byGroup = new TreeMap<>();
    for (Allocation a : allocs) {
      byGroup.computeIfAbsent(a.getGroup(), g -> new ArrayList<>()).add(a);
    }
    List<GroupPlan> out = new ArrayList<>();
    if (job == null || job.getStatus() == JobStatus.JOB_STATUS_STOPPED) {
      String why = job == null ? "job deregistered" : "job stopped";
      byGroup.forEach((g, list) -> out.add(new GroupPlan(g, stopAll(g, list, why), 0)));
      return out;
    }
    Set<String> specGroups = new HashSet<>();
    String type = job.getSpec().getType();
    for (GroupSpec g : job.getSpec().getGroupsList()) {
      specGroups.add(g.getName());
      List<Allocation> list = byGroup.getOrDefault(g.getName(), List.of());
      out.add(type.equals("system") ? system(job, g, list, targets.nodesFor(g))
          : replicated(job, g, list, type.equals("batch"), targets));
    }
    byGroup.forEach((g, list) -> {
      if (!specGroups.contains(g)) {
        out.add(new GroupPlan(g, stopAll(g, list, "group removed from job"), 0));
      }
    });
    return out;
  }

  private List<Decision> stopAll(String group, List<Allocation> list, String why) {
    List<Decision> d = new ArrayList<>();
    for (Allocation a : list) {
      if (AllocationRules.isLive(a)) {
        d.add(new Decision.Stop(group, a, why, nodeGone(a)));
      }
    }
    return d;
  }

  private boolean nodeGone(Allocation a) {
    int n = snap.nodeIndex(a.getNodeId());
    return n < 0 || snap.node(n).getStatus() == NodeStatus.NODE_STATUS_DOWN;
  }

  /** Why a live allocation must move off its node, or null if the node is fine. */
  private String moveReason(Allocation a) {
    int n = snap.nodeIndex(a.getNodeId());
    if (n < 0) {
      return "node removed";
    }
    Node node = snap.node(n);
    if (node.getStatus() == NodeStatus.NODE_STATUS_DOWN) {
      return "node down";
    }
    if (node.getDraining()) {
      return "node draining";
    }
    if (!node.getEligible()) {
      return "node ineligible";
    }
    return null;
  }

  /**
   * What the job's deployment (of its current version, if one has not ended) says about a
   * group's roll-out.
   */
  private record Rollout(DeploymentGroup group, boolean paused, long staggerMs) {
    boolean canaryPhase() {
      return RollingUpdate.inCanaryPhase(group);
    }
  }

  private Rollout rollout(Job job, GroupSpec g) {
    long stagger = job.getSpec().getType().equals("system") ? RollingUpdate.staggerMs(g) : 0;
    Deployment d = snap.deployment(job.getName()).filter(x -> x.getJobVersion() == job.getVersion()).orElse(null);
    if (d == null) return new Rollout(null, false, stagger);
    return new Rollout(d.getGroupsMap().get(g.getName()), d.getStatus() == DeploymentStatus.DEPLOYMENT_STATUS_PAUSED, stagger);
  }

  /**
   * start_first: while the slot's new allocation (current version) is not yet healthy, the
   * older one it replaces keeps running beside it; once it is healthy, the older one is stopped.
   * A canary keeps it beside until the deployment is promoted. Returns that older allocation,
   * or null.
   */
  private static Allocation startedBeside(Job job, GroupSpec g, Allocation keep, List<Allocation> slot, Rollout r) {
    if (!g.hasUpdate() || keep.getJobVersion() != job.getVersion()) return null;
    boolean untilPromoted = keep.getCanary() && r.canaryPhase();
    if (!untilPromoted && keep.getDeployHealth().getStatus().equals(RollingUpdate.HEALTHY)) {
      return null;
    }
    return slot.stream().filter(a -> a.getJobVersion() != job.getVersion()).findFirst().orElse(null);
  }

  /**
   * Keeper first: current version, not unhealthy (a failed roll-out's allocation goes before the
   * one it was to replace), on a node it may stay on, then the lowest id.
   */
  private Comparator<Allocation> keeperOrder(Job job) {
    return Comparator.<Allocation>comparingInt(a -> a.getJobVersion() == job.getVersion() ? 0 : 1)
        .thenComparingInt(a -> a.getDeployHealth().getStatus().equals(RollingUpdate.UNHEALTHY) ? 1 : 0)
        .thenComparingInt(a -> moveReason(a) == null ? 0 : 1)
        .thenComparing(Allocation::getId);
  }

  private static Allocation latest(List<Allocation> list) {
    return list.stream().max(Comparator.comparingLong(Allocation::getCreateIndex)
        .thenComparing(Allocation::getId)).orElse(null);
  }

  /** Whether an allocation of an older version can move to the current one where it runs. */
  private boolean inPlace(Allocation a, GroupSpec g, SystemTargets targets, int[][] fits) {
    if (!InPlace.allowed(a, g)) return false;
    int node = snap.nodeIndex(a.getNodeId());
    if (fits[0] == null) fits[0] = targets.nodesFor(g);
    return node >= 0 && java.util.Arrays.binarySearch(fits[0], node) >= 0;
  }

  private GroupPlan replicated(Job job, GroupSpec g, List<Allocation> list, boolean batch, SystemTargets targets) {
    int count = g.hasCount() ? Math.max(0, g.getCount()) : 1;
    Map<Integer, List<Allocation>> live = new TreeMap<>();
    Map<Integer, List<Allocation>> dead = new HashMap<>();
    for (Allocation a : list) {
      (AllocationRules.isLive(a) ? live : dead).computeIfAbsent(a.getIndex(), i -> new ArrayList<>()).add(a);
    }
    List<Decision> d = new ArrayList<>();
    List<Allocation> outdated = new ArrayList<>();
    int[][] fits = {null};
    Rollout rollout = rollout(job, g);
    for (Map.Entry<Integer, List<Allocation>> e : live.entrySet()) {
      int index = e.getKey();
      List<Allocation> slot = new ArrayList<>(e.getValue());
      if (index < 0 || index >= count) {
        slot.forEach(a -> d.add(new Decision.Stop(g.getName(), a, "scaled down to " + count, nodeGone(a))));
        continue;
      }
      slot.sort(keeperOrder(job));
      Allocation keep = slot.get(0);
      Allocation beside = startedBeside(job, g, keep, slot, rollout);
      for (Allocation extra : slot.subList(1, slot.size())) {
        if (extra == beside) {
          d.add(new Decision.Keep(g.getName(), extra));
        } else {
          boolean replaced = keep.getJobVersion() == job.getVersion() && extra.getJobVersion() != job.getVersion();
          d.add(new Decision.Stop(g.getName(), extra, (replaced ? "replaced by " : "duplicate of ") + keep.getId(),
              nodeGone(extra)));
        }
      }
      String move = moveReason(keep);
      if (move != null && nodeGone(keep)) {
        d.add(new Decision.Stop(g.getName(), keep, move, true));
        d.add(new Decision.Place(g.getName(), index, keep, "", "", "replaces lost " + keep.getId()));
      } else if (move != null) {
        d.add(new Decision.Place(g.getName(), index, keep, "migrated: " + move, "", "migrates " + keep.getId()));
      } else if (keep.getJobVersion() != job.getVersion() && inPlace(keep, g, targets, fits)) {
        d.add(new Decision.UpdateInPlace(g.getName(), keep));
      } else if (keep.getJobVersion() != job.getVersion()) {
        outdated.add(keep);
      } else {
        d.add(new Decision.Keep(g.getName(), keep));
      }
    }
    List<Decision> fills = new ArrayList<>();
    for (int index = 0; index < count; index++) {
      if (live.containsKey(index)) {
        continue;
      }
      List<Allocation> gone = dead.getOrDefault(index, List.of());
      if (batch && gone.stream().anyMatch(a -> a.getClientStatus() == ClientStatus.CLIENT_STATUS_COMPLETE
          && a.getJobVersion() == job.getVersion())) {
        continue;
      }
      Allocation prev = latest(gone);
      fills.add(new Decision.Place(g.getName(), index, prev, "", "",
          prev == null ? "new replica" : "replaces " + prev.getId()));
    }
    // An empty slot is always filled (at the current version), and each one filled is a new
    // allocation not yet healthy: it takes from the rolling update's room.
    int deferred = updates(job, g, list, outdated, d, null, fills.size(), rollout);
    d.addAll(fills);
    return new GroupPlan(g.getName(), d, deferred);
  }

  /**
   * Replaces old-version allocations, as many as {@link RollingUpdate#room} allows now (in a
   * canary phase: places the canaries still missing beside them); keeps the rest. Returns the
   * deferred count.
   */
  private int updates(Job job, GroupSpec g, List<Allocation> group, List<Allocation> outdated, List<Decision> d,
      Map<Allocation, String> pins, int filling, Rollout rollout) {
    outdated.sort(Comparator.comparingInt(Allocation::getIndex).thenComparing(Allocation::getId));
    int deferred = 0;
    if (rollout.canaryPhase()) {
      int canaries = rollout.paused() ? 0 : RollingUpdate.canariesToPlace(rollout.group(), job.getVersion(), group);
      for (int i = 0; i < outdated.size(); i++) {
        Allocation a = outdated.get(i);
        if (i < canaries) {
          d.add(new Decision.Place(g.getName(), a.getIndex(), a, "job updated to version " + job.getVersion(), "",
              "canary for " + a.getId(), true, true));
        } else {
          d.add(new Decision.Keep(g.getName(), a));
          deferred++;
        }
      }
      return deferred;
    }
    int room = rollout.paused() ? 0 : RollingUpdate.room(g, job.getVersion(), group, rollout.staggerMs(), nowMs);
    int limit = room == Integer.MAX_VALUE ? room : Math.max(0, room - filling);
    for (int i = 0; i < outdated.size(); i++) {
      Allocation a = outdated.get(i);
      if (i < limit) {
        String pin = pins == null ? "" : pins.get(a);
        // start_first for replicated groups; a system group's replacement goes on the same node: stop_first.
        boolean startFirst = pins == null && g.hasUpdate() && !g.getUpdate().getOrder().equals("stop_first");
        d.add(new Decision.Place(g.getName(), a.getIndex(), a, "job updated to version " + job.getVersion(), pin,
            "updates " + a.getId(), startFirst));
      } else {
        d.add(new Decision.Keep(g.getName(), a));
        deferred++;
      }
    }
    return deferred;
  }

  private GroupPlan system(Job job, GroupSpec g, List<Allocation> list, int[] targets) {
    Set<String> targetIds = new HashSet<>();
    for (int t : targets) {
      targetIds.add(snap.node(t).getId());
    }
    Map<String, List<Allocation>> liveByNode = new TreeMap<>();
    Map<String, List<Allocation>> deadByNode = new HashMap<>();
    for (Allocation a : list) {
      (AllocationRules.isLive(a) ? liveByNode : deadByNode)
          .computeIfAbsent(a.getNodeId(), n -> new ArrayList<>()).add(a);
    }
    List<Decision> d = new ArrayList<>();
    List<Allocation> outdated = new ArrayList<>();
    Map<Allocation, String> pins = new HashMap<>();
    Set<Integer> usedIndexes = new HashSet<>();
    for (Map.Entry<String, List<Allocation>> e : liveByNode.entrySet()) {
      List<Allocation> onNode = new ArrayList<>(e.getValue());
      if (!targetIds.contains(e.getKey())) {
        String why = moveReason(onNode.get(0));
        for (Allocation a : onNode) {
          d.add(new Decision.Stop(g.getName(), a, why == null ? "node no longer matches the job" : why, nodeGone(a)));
        }
        continue;
      }
      onNode.sort(keeperOrder(job));
      Allocation keep = onNode.get(0);
      for (Allocation extra : onNode.subList(1, onNode.size())) {
        d.add(new Decision.Stop(g.getName(), extra, "duplicate of " + keep.getId(), false));
      }
      usedIndexes.add(keep.getIndex());
      if (keep.getJobVersion() != job.getVersion() && InPlace.allowed(keep, g)) {
        d.add(new Decision.UpdateInPlace(g.getName(), keep));
      } else if (keep.getJobVersion() != job.getVersion()) {
        outdated.add(keep);
        pins.put(keep, keep.getNodeId());
      } else {
        d.add(new Decision.Keep(g.getName(), keep));
      }
    }
    int newNodes = 0;
    for (int t : targets) {
      if (!liveByNode.containsKey(snap.node(t).getId())) newNodes++;
    }
    Rollout rollout = rollout(job, g);
    int deferred = updates(job, g, list, outdated, d, pins, newNodes, rollout);
    long wakeAt = deferred > 0 && !rollout.paused()
        ? RollingUpdate.staggerEndsAt(job.getVersion(), list, rollout.staggerMs(), nowMs) : 0;
    int nextIndex = 0;
    for (int t : targets) {
      String id = snap.node(t).getId();
      if (liveByNode.containsKey(id)) {
        continue;
      }
      while (usedIndexes.contains(nextIndex)) {
        nextIndex++;
      }
      usedIndexes.add(nextIndex);
      Allocation prev = latest(deadByNode.getOrDefault(id, List.of()));
      d.add(new Decision.Place(g.getName(), nextIndex, prev, "", id,
          prev == null ? "new node" : "replaces " + prev.getId()));
    }
    return new GroupPlan(g.getName(), d, deferred, wakeAt);
  }
}
