package gantry.node.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/**
 * The {@code gantry_*} series that count or time events as they happen on one peer, where
 * {@code http/ClusterMetrics} reads facts at scrape time. One object per peer, handed to the
 * code where each event happens, so each fact is recorded in exactly one place:
 *
 * <ul>
 *   <li>{@code gantry_raft_apply_seconds}: time the state machine took to apply one new entry
 *       (replay of its records, the RocksDB write, the apply listeners), every peer;
 *   <li>{@code gantry_scheduler_evaluations_total} and {@code gantry_scheduling_seconds}:
 *       evaluations a scheduler worker ran through the pure scheduler, and the time of that call
 *       (not the snapshot before it, nor the commit after), leader only;
 *   <li>{@code gantry_scheduler_placements_total}: placements committed through Raft;
 *   <li>{@code gantry_plan_rejections_total}: plans the plan applier refused in whole or part
 *       because the newest state no longer allowed them: a node filled up or went away since the
 *       plan's snapshot (a follow-up evaluation retries them);
 *   <li>{@code gantry_agent_sessions}: agent sessions open on this peer (0 on followers);
 *   <li>{@code gantry_raft_crash_elections_total}: elections this peer started at once because
 *       its leader's Raft port refused connections (the leader's process had ended), rather than
 *       after the election timeout ({@code raft/LeaderCrashWatch}).
 * </ul>
 *
 * Counters start at 0 and count from this process's start, so a restarted peer resets them:
 * dashboards use {@code rate()}. Histograms are classic (fixed buckets), which Prometheus 2
 * stores without feature flags.
 */
public final class ManagerMetrics {
  /** 100 µs to 2.5 s: an apply or a scheduler call is well under a millisecond when all is well. */
  static final double[] SECONDS_BUCKETS = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5
  };

  private final Histogram applySeconds = Histogram.builder().name("gantry_raft_apply_seconds")
      .help("Time this peer's state machine took to apply one Raft entry.")
      .classicOnly().classicUpperBounds(SECONDS_BUCKETS).build();
  private final Counter evaluations = Counter.builder().name("gantry_scheduler_evaluations_total")
      .help("Evaluations the scheduler ran on this peer while it led.").build();
  private final Histogram schedulingSeconds = Histogram.builder().name("gantry_scheduling_seconds")
      .help("Time the scheduler took to turn one evaluation into a plan.")
      .classicOnly().classicUpperBounds(SECONDS_BUCKETS).build();
  private final Counter placements = Counter.builder().name("gantry_scheduler_placements_total")
      .help("Placements of new allocations committed through Raft by this peer while it led.").build();
  private final Counter planRejections = Counter.builder().name("gantry_plan_rejections_total")
      .help("Plans the plan applier refused in whole or part (a node filled up or went away); re-evaluated.").build();
  private final Gauge agentSessions = Gauge.builder().name("gantry_agent_sessions")
      .help("Agent sessions open on this peer (only the leader holds sessions).").build();
  private final Counter crashElections = Counter.builder().name("gantry_raft_crash_elections_total")
      .help("Elections this peer started at once because its leader's Raft port refused connections (the leader's process had ended).").build();

  /** Adds this peer's series to {@code registry} (one registry per peer). */
  public void register(PrometheusRegistry registry) {
    registry.register(applySeconds);
    registry.register(evaluations);
    registry.register(schedulingSeconds);
    registry.register(placements);
    registry.register(planRejections);
    registry.register(agentSessions);
    registry.register(crashElections);
  }

  /** The state machine applied one entry in {@code nanos}. */
  public void applied(long nanos) {
    applySeconds.observe(nanos / 1e9);
  }

  /** A worker ran the scheduler on one evaluation, which took {@code nanos}. */
  public void scheduled(long nanos) {
    evaluations.inc();
    schedulingSeconds.observe(nanos / 1e9);
  }

  /** A plan committed with {@code count} placements. */
  public void placed(int count) {
    if (count > 0) placements.inc(count);
  }

  /** This peer stood for election at once: its leader's process had ended. */
  public void crashElection() {
    crashElections.inc();
  }

  /** The applier refused (part of) a plan. */
  public void planRejected() {
    planRejections.inc();
  }

  /** The number of agent sessions open now. */
  public void agentSessions(int open) {
    agentSessions.set(open);
  }
}
