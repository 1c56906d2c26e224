package gantry.node.leader;

import gantry.node.metrics.ManagerMetrics;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the leader's scheduling time goes: plans committed, placements, placements the
 * applier refused, and the mean time per stage (snapshot, schedule, check, and commit: from
 * proposal to applied, overlapping between plans). Logged at most every {@value #REPORT_SECONDS}
 * s while plans commit; a few adders per plan, so it stays on. The same events feed the
 * peer's {@link ManagerMetrics} (scheduler time, placements, refused plans), so each is
 * measured once.
 */
final class PipelineStats {
  private static final Logger LOG = LoggerFactory.getLogger(PipelineStats.class);
  private static final long REPORT_SECONDS = 10;

  enum Stage { SNAPSHOT, SCHEDULE, CHECK, COMMIT }

  private final LongAdder plans = new LongAdder();
  private final LongAdder placed = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private final LongAdder[] nanos = new LongAdder[Stage.values().length];
  private final LongAdder[] counts = new LongAdder[Stage.values().length];
  private final AtomicLong lastReport = new AtomicLong(System.nanoTime());
  private final ManagerMetrics metrics;

  PipelineStats(ManagerMetrics metrics) {
    this.metrics = metrics;
    for (int i = 0; i < nanos.length; i++) {
      nanos[i] = new LongAdder();
      counts[i] = new LongAdder();
    }
  }

  void add(Stage stage, long startNanos) {
    long elapsed = System.nanoTime() - startNanos;
    nanos[stage.ordinal()].add(elapsed);
    counts[stage.ordinal()].increment();
    if (stage == Stage.SCHEDULE) metrics.scheduled(elapsed);
  }

  /** The applier refused (part of) a plan at its check. */
  void planRejected() {
    metrics.planRejected();
  }

  /** A plan committed with {@code placements} placements; the applier refused {@code rejected}. */
  void committed(int placements, int rejected) {
    plans.increment();
    placed.add(placements);
    refused.add(rejected);
    metrics.placed(placements);
    report();
  }

  private void report() {
    long now = System.nanoTime();
    long last = lastReport.get();
    if (now - last < REPORT_SECONDS * 1_000_000_000L || !lastReport.compareAndSet(last, now)) return;
    long p = placed.sumThenReset();
    StringBuilder b = new StringBuilder();
    for (Stage s : Stage.values()) {
      long n = counts[s.ordinal()].sumThenReset();
      long ns = nanos[s.ordinal()].sumThenReset();
      b.append(' ').append(s.name().toLowerCase()).append('=')
          .append(String.format("%.2f", n == 0 ? 0.0 : ns / 1e6 / n)).append("ms");
    }
    LOG.info("committed {} plans with {} placements ({}/s), {} placements refused; mean per plan:{}",
        plans.sumThenReset(), p, p * 1_000_000_000L / Math.max(1, now - last), refused.sumThenReset(), b);
  }
}
