package gantry.agent.runner;

import gantry.agent.health.HealthProber;
import gantry.agent.session.SessionHandler;
import gantry.v1.AllocationStatusUpdate;
import gantry.v1.Assignment;
import gantry.v1.Assignments;
import gantry.v1.ClientStatus;
import gantry.v1.LogsReply;
import gantry.v1.LogsRequest;
import gantry.v1.NodeMetrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The allocations of one node: applies the {@link AllocationReconciler}'s plan to the
 * {@link AllocationRunner}s, fences them when the managers have been out of reach too long,
 * re-attaches the saved ones after an agent restart, and answers the session's questions (full
 * status, node totals).
 */
public final class AllocationSupervisor implements SessionHandler {
  private static final Logger log = LoggerFactory.getLogger(AllocationSupervisor.class);

  /** How long a failed allocation the managers dropped keeps its tasks' remains and logs. */
  public static final Duration RETAIN_FAILED = Duration.ofMinutes(10);
  /** At most this many are kept per node (a job failing in a loop must not fill the disk). */
  public static final int MAX_RETAINED = 20;
  static final int DEFAULT_TAIL = 100;
  static final int MAX_TAIL = 10_000;

  private final DriverSet drivers;
  private final AllocationStore store;
  private final Clock clock;
  private final HealthProber prober;
  private final AllocationRunner.Settings settings;
  private final Map<String, AllocationRunner> runners = new ConcurrentHashMap<>();
  /** Failed allocations no longer assigned, kept for their logs until the time given. */
  private final Map<String, Instant> retained = new ConcurrentHashMap<>();
  private volatile Consumer<AllocationStatusUpdate> sink = u -> { };
  /** Assignments messages applied so far (guarded by this). */
  private volatile long assignmentsApplied;

  public AllocationSupervisor(DriverSet drivers, AllocationStore store, Clock clock, HealthProber prober,
      AllocationRunner.Settings settings) {
    this.drivers = drivers;
    this.store = store;
    this.clock = clock;
    this.prober = prober;
    this.settings = settings;
  }

  /** Where status updates go (the session). Set before {@link #recover()}. */
  public void setSink(Consumer<AllocationStatusUpdate> sink) {
    this.sink = sink;
  }

  /** Re-attaches every allocation saved in the store; returns how many. */
  public synchronized int recover() {
    int n = 0;
    for (AllocationStore.Saved saved : store.loadAll()) {
      AllocationRunner r = AllocationRunner.recovered(saved, drivers, clock, prober, store, settings, this::publish,
          this::forgotten);
      runners.put(r.id(), r);
      r.start();
      n++;
    }
    if (n > 0) {
      log.info("re-attached {} allocation(s) from the data directory", n);
    }
    return n;
  }

  @Override
  public synchronized void onAssignments(Assignments assignments) {
    Map<String, AllocationReconciler.Held> held = runners.values().stream().collect(Collectors.toMap(
        AllocationRunner::id, r -> new AllocationReconciler.Held(r.id(), r.isStopping())));
    AllocationReconciler.Plan plan = assignments.getDelta()
        ? AllocationReconciler.reconcileDelta(assignments.getAllocationsList(), assignments.getRemovedList(), held)
        : AllocationReconciler.reconcile(assignments.getAllocationsList(), held);
    logPlan(assignments, plan);
    for (Assignment a : plan.start()) {
      AllocationRunner r = AllocationRunner.create(a, drivers, clock, prober, store, settings, this::publish,
          this::forgotten);
      runners.put(r.id(), r);
      r.start();
    }
    for (Assignment a : plan.update()) {
      AllocationRunner r = runners.get(a.getAllocation().getId());
      if (r != null) {
        r.update(a);
      }
    }
    for (String id : plan.stop()) {
      AllocationRunner r = runners.get(id);
      if (r != null) {
        r.stop("stopped by the managers", false, false);
      }
    }
    for (Assignment a : assignments.getAllocationsList()) {
      retained.remove(a.getAllocation().getId());
    }
    Instant now = clock.instant();
    for (String id : plan.forget()) {
      AllocationRunner r = runners.get(id);
      if (r == null) {
        continue;
      }
      if (r.status().getClientStatus() == ClientStatus.CLIENT_STATUS_FAILED) {
        retained.putIfAbsent(id, now.plus(RETAIN_FAILED)); // its logs say why it failed
      } else {
        r.stop("no longer assigned to this node", false, true);
      }
    }
    forgetRetired(now);
    assignmentsApplied++;
  }

  /**
   * The first assignments after a start (what a restarted agent made of the managers' view) and
   * any that start, stop or drop an allocation go to the log at info; the many that only carry
   * new records of the same allocations at debug.
   */
  private void logPlan(Assignments assignments, AllocationReconciler.Plan plan) {
    List<String> dropped = plan.forget().stream().filter(id -> !retained.containsKey(id)).toList();
    boolean news = assignmentsApplied == 0 || !plan.start().isEmpty() || !plan.stop().isEmpty()
        || !dropped.isEmpty();
    if (news || log.isDebugEnabled()) {
      String line = "assignments at index " + assignments.getIndex() + ": " + assignments.getAllocationsCount()
          + (assignments.getDelta() ? " changed, " + assignments.getRemovedCount() + " removed" : " allocation(s)")
          + ", " + runners.size() + " held; start "
          + plan.start().stream().map(a -> a.getAllocation().getId()).toList() + ", stop " + plan.stop()
          + ", forget " + dropped;
      if (news) {
        log.info(line);
      } else {
        log.debug(line);
      }
    }
  }

  /**
   * How many assignments messages have been applied (each session's first one included). Once it
   * has grown past a message, every runner that message started exists and every update or stop
   * it carried is in its runner's mailbox.
   */
  public long assignmentsApplied() {
    return assignmentsApplied;
  }

  /**
   * Forgets the failed allocations whose retention ended, and the oldest ones beyond
   * {@link #MAX_RETAINED}. Their containers and task directories (and so their logs) go with them.
   */
  public synchronized void forgetRetired(Instant now) {
    List<Map.Entry<String, Instant>> byAge = retained.entrySet().stream()
        .sorted(Map.Entry.comparingByValue()).toList();
    int over = byAge.size() - MAX_RETAINED;
    for (Map.Entry<String, Instant> e : byAge) {
      if (over-- > 0 || !now.isBefore(e.getValue())) {
        retained.remove(e.getKey());
        AllocationRunner r = runners.get(e.getKey());
        if (r != null) {
          r.stop("no longer assigned to this node", false, true);
        }
      }
    }
  }

  /**
   * Stops the allocations whose group's {@code disconnect.stop_after} has passed since
   * {@code lastContact}; they report FAILED with a "fenced: ..." description when a session opens
   * again. The managers' next assignments decide what runs then.
   */
  public synchronized void enforceFencing(Instant lastContact, Instant now) {
    for (AllocationRunner r : runners.values()) {
      if (!r.isStopping() && FencingPolicy.shouldFence(r.group(), lastContact, now)) {
        String why = FencingPolicy.description(lastContact, now);
        log.warn("allocation {}: {}; stopping it", r.id(), why);
        r.stop(why, true, false);
      }
    }
  }

  /** A {@code Runnable} for a timer: fencing against the time source given. */
  public Runnable fencingCheck(java.util.function.Supplier<Instant> lastContact) {
    return () -> {
      try {
        enforceFencing(lastContact.get(), clock.instant());
        forgetRetired(clock.instant());
      } catch (RuntimeException e) {
        log.warn("fencing check: {}", e.toString());
      }
    };
  }

  /** The runners held now (a copy), for the agent's metrics. */
  public List<AllocationRunner> runners() {
    return List.copyOf(runners.values());
  }

  @Override
  public List<AllocationStatusUpdate> currentStatus() {
    return runners.values().stream().map(AllocationRunner::status)
        .sorted(Comparator.comparing(AllocationStatusUpdate::getAllocationId)).toList();
  }

  @Override
  public NodeMetrics nodeMetrics() {
    double cpu = 0;
    long mem = 0;
    int running = 0;
    for (AllocationRunner r : runners.values()) {
      AllocationStatusUpdate s = r.status();
      if (s.getClientStatus() == ClientStatus.CLIENT_STATUS_RUNNING) {
        running++;
        cpu += s.getMetrics().getCpuPercent();
        mem += s.getMetrics().getMemoryMb();
      }
    }
    return NodeMetrics.newBuilder().setCpuPercent(cpu).setMemoryUsedMb(mem).setRunningAllocations(running)
        .setTimeMs(clock.millis()).build();
  }

  @Override
  public LogsReply logs(LogsRequest request) {
    AllocationRunner r = runners.get(request.getAllocationId());
    if (r == null) {
      return LogsReply.newBuilder().setTask(request.getTask()).setError("allocation " + request.getAllocationId()
          + " is not on this node any more (its tasks and logs were removed)").build();
    }
    int tail = request.getTailLines() > 0 ? request.getTailLines() : DEFAULT_TAIL;
    return r.logs(request.getTask(), Math.min(tail, MAX_TAIL));
  }

  /** The runner of an allocation, or null. */
  public AllocationRunner runner(String allocationId) {
    return runners.get(allocationId);
  }

  public int size() {
    return runners.size();
  }

  private void publish(AllocationStatusUpdate u) {
    sink.accept(u);
  }

  private void forgotten(AllocationRunner r) {
    runners.remove(r.id(), r);
  }

  /** Ends every runner's loop; the tasks keep running for the next agent to re-attach. */
  public void detachAll(Duration timeout) {
    List<AllocationRunner> all = List.copyOf(runners.values());
    all.forEach(AllocationRunner::detach);
    for (AllocationRunner r : all) {
      try {
        r.join(timeout);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
