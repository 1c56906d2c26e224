package gantry.node.leader;

import gantry.node.autoscale.AutoscalePolicy;
import gantry.node.autoscale.Decision;
import gantry.node.autoscale.GroupState;
import gantry.node.autoscale.Recommendations;
import gantry.node.autoscale.Sample;
import gantry.node.autoscale.UtilizationWindow;
import gantry.node.leader.LeaderAction.Propose;
import gantry.node.state.ClusterState;
import gantry.v1.Allocation;
import gantry.v1.AllocationMetrics;
import gantry.v1.ClientStatus;
import gantry.v1.DesiredStatus;
import gantry.v1.GroupSpec;
import gantry.v1.Job;
import gantry.v1.JobScaled;
import gantry.v1.JobStatus;
import gantry.v1.Record;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's autoscaler, a handler of its event loop: once a second it takes the allocation
 * reports that arrived since (from the leader's live metrics), and for every group with a
 * {@code scaling} block asks {@link AutoscalePolicy} for a decision; a scale is proposed as a
 * JobScaled record with its reason and the count it was decided from (replay refuses it if a
 * user changed the count in between). One decision per group is in flight at a time.
 *
 * <p>Nothing here is replicated but the decisions: the window of reports and the scale-in
 * recommendations start empty on a new leader, which decides nothing until its reports cover a
 * window (a missing report is not zero load). Cooldowns start at the group's last scale, which
 * is in the job ({@code Job.last_scale}), so they hold across leaders.
 */
final class Autoscaler {
  private static final Logger LOG = LoggerFactory.getLogger(Autoscaler.class);
  static final long CHECK_EVERY_MS = 1000;

  private final UtilizationWindow window = new UtilizationWindow();
  /** allocation id -> the agent's time of the last report taken into the window */
  private final Map<String, Long> taken = new HashMap<>();
  private final Map<String, Recommendations> recommendations = new HashMap<>();
  private final Set<String> inFlight = new HashSet<>();
  private long lastCheck = Long.MIN_VALUE;

  /** Leadership gained: nothing known yet. */
  void reset() {
    window.prune(Long.MAX_VALUE);
    taken.clear();
    recommendations.clear();
    inFlight.clear();
    lastCheck = Long.MIN_VALUE;
  }

  /** @param metrics the latest report of an allocation, if recent */
  List<LeaderAction> check(ClusterState state, Function<String, Optional<AllocationMetrics>> metrics, long nowMs) {
    if (lastCheck != Long.MIN_VALUE && nowMs - lastCheck < CHECK_EVERY_MS) return List.of();
    lastCheck = nowMs;
    List<LeaderAction> out = new ArrayList<>();
    Set<String> running = new HashSet<>();
    Set<String> groups = new HashSet<>();
    for (Job job : state.scaledJobs()) {
      if (job.getStatus() != JobStatus.JOB_STATUS_RUNNING) continue;
      for (GroupSpec g : job.getSpec().getGroupsList()) {
        if (!g.hasScaling()) continue;
        String key = Sample.groupKey(job.getName(), g.getName());
        groups.add(key);
        List<String> ids = new ArrayList<>();
        for (Allocation a : state.allocsOfJobUnordered(job.getName())) {
          if (!a.getGroup().equals(g.getName()) || a.getDesiredStatus() != DesiredStatus.DESIRED_STATUS_RUN
              || a.getClientStatus() != ClientStatus.CLIENT_STATUS_RUNNING) {
            continue;
          }
          ids.add(a.getId());
          running.add(a.getId());
          metrics.apply(a.getId()).ifPresent(m -> {
            Long before = taken.put(a.getId(), m.getTimeMs());
            if (before == null || before != m.getTimeMs()) window.add(Sample.of(a, m, nowMs));
          });
        }
        if (inFlight.contains(key)) continue;
        decide(job, g, key, ids, nowMs).ifPresent(out::add);
      }
    }
    taken.keySet().retainAll(running);
    for (String id : List.copyOf(taken.keySet())) if (!running.contains(id)) window.forget(id);
    recommendations.keySet().retainAll(groups);
    window.prune(nowMs);
    return out;
  }

  private Optional<LeaderAction> decide(Job job, GroupSpec g, String key, List<String> running, long nowMs) {
    int count = g.hasCount() ? g.getCount() : 1;
    GroupState state = new GroupState(count, Optional.ofNullable(job.getLastScaleMap().get(g.getName())),
        recommendations.getOrDefault(key, Recommendations.NONE));
    var signal = window.signal(running, g.getScaling().getWindowMs(), nowMs);
    Decision d = AutoscalePolicy.decide(g.getScaling(), state, signal, nowMs);
    switch (d) {
      case Decision.Hold h -> {
        recommendations.put(key, h.recommendations());
        LOG.debug("autoscaler {}: hold: {}", key, h.why());
        return Optional.empty();
      }
      case Decision.Scale s -> {
        recommendations.put(key, s.recommendations());
        inFlight.add(key);
        LOG.info("autoscaler {}: {}", key, s.reason());
        Record r = Record.newBuilder().setJobScaled(JobScaled.newBuilder().setName(job.getName()).setGroup(g.getName())
            .setCount(s.to()).setExpectedCount(s.from()).setAutoscaler(true).setReason(why(s.reason())).setTimeMs(nowMs))
            .build();
        return Optional.of(new Propose(List.of(r), new LeaderAction.Autoscale(key)));
      }
    }
  }

  /** The policy's reason without its trailing "from -> to", which replay writes itself. */
  static String why(String reason) {
    return reason.replaceFirst(": \\d+ -> \\d+$", "");
  }

  /** The decision for {@code a.group()} committed or failed: the group may be decided again. */
  void done(LeaderAction.Autoscale a, Throwable error) {
    inFlight.remove(a.group());
    if (error != null) LOG.warn("autoscaler {}: the decision was not committed: {}", a.group(), error.toString());
  }
}
