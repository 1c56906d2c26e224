package gantry.node.config;

import java.time.Duration;

/**
 * How long the leader's GC waits before it deletes what is collectable (Nomad's server keys of
 * the same names). A job's versions beyond those kept go at once: they are counted, not timed.
 *
 * @param evals       {@code eval_gc_threshold}: evaluations and allocations that finished longer
 *                    ago than this go (the latest evaluation of each job is kept)
 * @param jobs        {@code job_gc_threshold}: jobs dead (stopped, or batch with nothing running)
 *                    for longer than this go, with their versions, allocations, evaluations and
 *                    deployments
 * @param deployments {@code deployment_gc_threshold}: deployments that ended longer ago than this
 *                    go (the newest of each job is kept)
 * @param nodes       {@code node_gc_threshold}: nodes down for longer than this, with no allocation
 *                    left on them, go (an agent that comes back registers its node again)
 */
public record GcThresholds(Duration evals, Duration jobs, Duration deployments, Duration nodes) {
  /** Nomad's defaults: an hour, four hours, an hour, a day. */
  public static final GcThresholds DEFAULTS =
      new GcThresholds(Duration.ofHours(1), Duration.ofHours(4), Duration.ofHours(1), Duration.ofHours(24));
}
