package gantry.agent.runner;

import gantry.agent.driver.DriverException;
import gantry.agent.driver.TaskDescription;
import gantry.agent.driver.TaskDriver;
import gantry.agent.driver.TaskHandle;
import gantry.agent.driver.TaskStatus;
import gantry.agent.health.HealthCheck;
import gantry.agent.health.HealthProber;
import gantry.agent.health.HealthTracker;
import gantry.agent.health.TaskProbes;
import gantry.agent.runner.TaskEvent.Exited;
import gantry.agent.runner.TaskEvent.Lost;
import gantry.agent.runner.TaskEvent.RestartDue;
import gantry.agent.runner.TaskEvent.StartFailed;
import gantry.agent.runner.TaskEvent.Started;
import gantry.agent.runner.TaskEvent.Stopped;
import gantry.agent.runner.TaskEvent.Unhealthy;
import gantry.v1.AllocationMetrics;
import gantry.v1.AllocationStatusUpdate;
import gantry.v1.Assignment;
import gantry.v1.ClientStatus;
import gantry.v1.LogsReply;
import gantry.v1.TaskSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one allocation: the I/O loop around the pure {@link TaskRun} state machine. Each pass
 * takes the commands from a mailbox (update, stop, detach), starts pending tasks, polls the driver
 * for their status, probes health, publishes an {@link AllocationStatusUpdate} whenever what it
 * reports changes, and then, when they are due, samples metrics (last: a stats read can take the
 * engine seconds, and a task just started is reported running without waiting for it). A
 * {@link PassLoop} runs the passes: between them the runner holds no thread, only a timer entry
 * for when the next is due (a command, or a watched task's end, wakes it sooner). A task whose
 * driver tells its end ({@link TaskDriver#watch}) and that has no health check is not polled:
 * such an allocation makes a pass only for its metrics. All task state is confined to the
 * passes; other threads see only {@link #status()} and {@link #isStopping()}.
 *
 * <p>When one task fails for good, the others are stopped (the allocation has failed). A stop
 * with {@code forget} also destroys what the drivers made and deletes the allocation's file.
 *
 * <p>After every pass a {@link DeployHealthTracker} sees the tasks (until a stop is asked for);
 * its decision goes into every status from then on, so the update that first carries it is
 * published even when nothing else changed.
 */
public final class AllocationRunner {
  private static final Logger log = LoggerFactory.getLogger(AllocationRunner.class);

  /** Timings of the loop. */
  public record Settings(Duration pollInterval, Duration metricsInterval, Duration stopGrace) {
    public static final Settings DEFAULT =
        new Settings(Duration.ofMillis(500), Duration.ofSeconds(5), Duration.ofSeconds(5));
  }

  private sealed interface Command {
    record Update(Assignment assignment) implements Command {}

    record Stop(String message, boolean failed, boolean forget) implements Command {}

    record Detach() implements Command {}

    /** A watched task ended: look at the tasks now. */
    record Poke() implements Command {}
  }

  private final String id;
  private final DriverSet drivers;
  private final Clock clock;
  private final HealthProber prober;
  private final AllocationStore store;
  private final Settings settings;
  private final Consumer<AllocationStatusUpdate> sink;
  private final Consumer<AllocationRunner> onForgotten;
  private final LinkedBlockingQueue<Command> mailbox = new LinkedBlockingQueue<>();

  // Pass-confined state (one pass at a time, each seeing the last one's writes: PassLoop).
  private volatile Assignment assignment;
  private final RestartPolicy policy;
  private final Map<String, TaskRun> runs = new LinkedHashMap<>();
  // Read by logs() from the session's thread; everything else about it is loop-confined.
  private final Map<String, TaskHandle> handles = new ConcurrentHashMap<>();
  private final Map<String, HealthCheck> checks = new HashMap<>();
  private final Map<String, HealthTracker> trackers = new HashMap<>();
  private final boolean recovering;
  private String description = "";
  private AllocationMetrics metrics = AllocationMetrics.getDefaultInstance();
  private final Instant deployStart;
  private DeployHealthTracker deployHealth;
  private Instant nextMetricsAt;
  private AllocationStatusUpdate lastPublished;
  private AllocationStore.Saved lastSaved;
  /** Tasks whose driver will tell the runner when they end (their current handle's). */
  private final TaskWatches watches = new TaskWatches(() -> send(new Command.Poke()));
  private boolean reattached;

  private volatile AllocationStatusUpdate status;
  private volatile boolean stopping;
  private final PassLoop passLoop;
  private final AtomicLong passes = new AtomicLong();

  private AllocationRunner(Assignment assignment, AllocationStore.Saved saved, DriverSet drivers, Clock clock,
      HealthProber prober, AllocationStore store, Settings settings, Consumer<AllocationStatusUpdate> sink,
      Consumer<AllocationRunner> onForgotten) {
    this.id = assignment.getAllocation().getId();
    this.assignment = assignment;
    this.drivers = drivers;
    this.clock = clock;
    this.prober = prober;
    this.store = store;
    this.settings = settings;
    this.sink = sink;
    this.onForgotten = onForgotten;
    this.policy = RestartPolicy.of(assignment.getGroup());
    this.recovering = saved != null;
    for (TaskSpec t : assignment.getGroup().getTasksList()) {
      HealthCheck check = t.hasCheck() ? HealthCheck.of(t.getCheck(), t.getName(), assignment.getAllocation()) : null;
      if (check != null) {
        checks.put(t.getName(), check);
      }
      TaskRun savedRun = saved == null ? null : saved.runs().get(t.getName());
      runs.put(t.getName(), savedRun != null ? savedRun : TaskRun.pending(t.getName(), check != null));
    }
    if (saved != null) {
      handles.putAll(saved.handles());
      description = saved.description();
      stopping = runs.values().stream().allMatch(TaskRun::isDead);
    }
    Instant now = clock.instant();
    this.deployStart = saved != null && saved.deployStart() != null ? saved.deployStart() : now;
    this.deployHealth = saved == null ? DeployHealthTracker.of(assignment.getGroup(), deployStart)
        : DeployHealthTracker.restored(assignment.getGroup(), deployStart, saved.deployHealth());
    this.nextMetricsAt = now.plus(settings.metricsInterval());
    this.status = buildStatus();
    this.passLoop = new PassLoop("alloc-" + id, this::pass, () -> !mailbox.isEmpty());
  }

  /** A runner for a newly assigned allocation. Call {@link #start()}. */
  public static AllocationRunner create(Assignment a, DriverSet drivers, Clock clock, HealthProber prober,
      AllocationStore store, Settings settings, Consumer<AllocationStatusUpdate> sink,
      Consumer<AllocationRunner> onForgotten) {
    return new AllocationRunner(a, null, drivers, clock, prober, store, settings, sink, onForgotten);
  }

  /** A runner for an allocation saved before an agent restart; it re-attaches to running tasks. */
  public static AllocationRunner recovered(AllocationStore.Saved saved, DriverSet drivers, Clock clock,
      HealthProber prober, AllocationStore store, Settings settings, Consumer<AllocationStatusUpdate> sink,
      Consumer<AllocationRunner> onForgotten) {
    return new AllocationRunner(saved.assignment(), saved, drivers, clock, prober, store, settings, sink,
        onForgotten);
  }

  public String id() {
    return id;
  }

  /** The allocation as last assigned (job, group, version). */
  public gantry.v1.Allocation allocation() {
    return assignment.getAllocation();
  }

  /** The group spec the runner runs (fixed for the allocation's life). */
  public gantry.v1.GroupSpec group() {
    return assignment.getGroup();
  }

  /** The latest status, metrics included. */
  public AllocationStatusUpdate status() {
    return status;
  }

  /**
   * The last {@code tailLines} lines task {@code task} wrote ({@code task} empty: the allocation's
   * only task), or an error a user can act on ({@link TaskLogs}). Runs on the caller's thread.
   */
  public LogsReply logs(String task, int tailLines) {
    return TaskLogs.read(id, assignment.getGroup(), handles, status, drivers, task, tailLines);
  }

  /**
   * How many passes have finished; each takes the commands waiting in the mailbox, steps every
   * task (start, poll, probe, restart when due) and publishes. One is made at least every poll
   * interval while a task must be polled, and every metrics interval in any case. A pass that
   * began after some moment saw the clock and the mailbox as they were then or later, so tests
   * wait for one before asserting that nothing was started.
   */
  public long passes() {
    return passes.get();
  }

  /** True once a stop was asked for (or the allocation had ended before a restart). */
  public boolean isStopping() {
    return stopping;
  }

  /** Makes the first pass (which re-attaches a recovered allocation's tasks). */
  public void start() {
    passLoop.start();
  }

  /** A new record of the same allocation from the managers. */
  public void update(Assignment a) {
    send(new Command.Update(a));
  }

  /**
   * Stops every task. {@code failed}: report the allocation as failed with {@code message} as its
   * description (fencing). {@code forget}: then destroy the tasks and delete the saved file.
   */
  public void stop(String message, boolean failed, boolean forget) {
    stopping = true;
    send(new Command.Stop(message, failed, forget));
  }

  /** Ends the passes and leaves the tasks running (agent shutdown). */
  public void detach() {
    send(new Command.Detach());
  }

  /** Waits for the passes to end (after {@link #detach} or a forgetting stop). */
  public boolean join(Duration timeout) throws InterruptedException {
    return passLoop.join(timeout);
  }

  private void send(Command c) {
    mailbox.add(c);
    passLoop.wake();
  }

  /**
   * One pass: the commands waiting, then a step of every task, and the publication of what
   * changed. Returns when the next is due ({@link PassLoop#END} after a detach or a forgetting
   * stop).
   */
  private long pass() {
    try {
      if (recovering && !reattached) {
        reattached = true;
        reattach();
      }
      for (Command c; (c = mailbox.poll()) != null; ) {
        switch (c) {
          case Command.Update u -> assignment = u.assignment();
          case Command.Stop s -> {
            stopAll(s.message(), s.failed());
            if (s.forget()) {
              forget();
              return PassLoop.END;
            }
          }
          case Command.Detach d -> {
            return PassLoop.END;
          }
          case Command.Poke p -> { }
        }
      }
      try {
        step();
        publishAndSave();
        // After the publication: a stats read can take the engine a second or two (longer while
        // it starts many containers), and a task started in this pass must not wait for it to be
        // reported running.
        if (!clock.instant().isBefore(nextMetricsAt)) {
          sampleMetrics();
        }
      } catch (RuntimeException e) {
        log.warn("allocation {}: {}", id, e.toString(), e);
      }
      passes.incrementAndGet();
      return nextWaitMillis();
    } catch (Error e) {
      log.error("allocation {}: runner ended by {}", id, e.toString(), e);
      throw e;
    }
  }

  /** After an agent restart: adopt the tasks the drivers still run; account for those that ended meanwhile. */
  private void reattach() {
    Map<TaskDriver, List<TaskHandle>> found = new HashMap<>();
    Instant now = clock.instant();
    for (TaskSpec t : assignment.getGroup().getTasksList()) {
      String name = t.getName();
      TaskRun r = runs.get(name);
      TaskHandle live = null;
      try {
        TaskDriver d = drivers.forTask(t);
        live = found.computeIfAbsent(d, x -> x.recover(id)).stream()
            .filter(h -> h.taskName().equals(name)).findFirst().orElse(null);
      } catch (DriverException e) {
        log.warn("allocation {} task {}: cannot recover: {}", id, name, e.getMessage());
      }
      if (live != null) {
        handles.put(name, live);
        if (r.isDead()) {
          stopTask(name); // it ended for us but still runs (a stop was cut short): finish the stop
        } else {
          runs.put(name, new TaskRun(name, new TaskPhase.Running(), r.restarts(), r.restartTimes(), r.message(),
              checks.containsKey(name) ? "unknown" : "", live.startedAt(), null));
          startTracking(name, now);
          watches.watch(name, drivers.forTask(t), live);
        }
      } else if (r.phase() instanceof TaskPhase.Running) {
        runs.put(name, r.apply(new Lost("ended while the agent was down; exit code unknown", now), policy));
      }
    }
    stopSiblingsIfFailed(now);
    judgeDeployHealth(); // before a restart already due hides the loss
  }

  private void step() {
    Instant now = clock.instant();
    for (TaskSpec t : assignment.getGroup().getTasksList()) {
      String name = t.getName();
      TaskRun r = runs.get(name);
      switch (r.phase()) {
        case TaskPhase.Pending p -> startTask(t, now);
        case TaskPhase.Running p -> poll(t, now);
        case TaskPhase.Restarting p -> {
          if (!now.isBefore(p.restartAt())) {
            runs.put(name, r.apply(new RestartDue(now), policy));
            startTask(t, now);
          }
        }
        case TaskPhase.Dead d -> { }
      }
    }
    stopSiblingsIfFailed(clock.instant());
    judgeDeployHealth();
  }

  /** Shows the tasks to the deploy health tracker; a stop asked for before a decision leaves none. */
  private void judgeDeployHealth() {
    if (!stopping && !deployHealth.decided()) {
      deployHealth = deployHealth.observe(clock.instant(), runs.values());
      if (deployHealth.decided()) {
        var d = deployHealth.decision();
        log.info("allocation {}: deploy health {}: {}", id, d.getStatus(), d.getReason());
      }
    }
  }

  private void startTask(TaskSpec t, Instant now) {
    String name = t.getName();
    try {
      TaskDriver d = drivers.forTask(t);
      TaskDescription desc = TaskDescriptions.of(assignment, t, d.name());
      TaskHandle h = startOrAdopt(d, desc);
      handles.put(name, h);
      runs.put(name, runs.get(name).apply(new Started(h.startedAt()), policy));
      startTracking(name, clock.instant());
      watches.watch(name, d, h);
    } catch (DriverException | IllegalArgumentException e) {
      log.info("allocation {} task {}: start failed: {}", id, name, e.getMessage());
      runs.put(name, runs.get(name).apply(new StartFailed(e.getMessage(), now), policy));
    }
  }

  /**
   * Starts the task. A leftover of an earlier run with the same name (a dead container keeps its
   * name) is destroyed and the start retried once; one still running (a start cut short by an
   * agent crash) is adopted.
   */
  private TaskHandle startOrAdopt(TaskDriver d, TaskDescription desc) {
    try {
      return d.start(desc);
    } catch (DriverException e) {
      if (e.kind() != DriverException.Kind.ALREADY_RUNNING) {
        throw e;
      }
      var live = d.recover(id).stream().filter(h -> h.taskName().equals(desc.taskName())).findFirst();
      if (live.isPresent()) {
        return live.get();
      }
      TaskHandle old = handles.get(desc.taskName());
      if (old != null) {
        destroyQuietly(d, old);
      }
      return d.start(desc);
    }
  }

  private void startTracking(String name, Instant now) {
    HealthCheck check = checks.get(name);
    if (check != null) {
      trackers.put(name, HealthTracker.started(check, now));
      if (check instanceof HealthCheck.Unsupported u) {
        TaskRun r = runs.get(name);
        runs.put(name, new TaskRun(name, r.phase(), r.restarts(), r.restartTimes(), "check not run: " + u.why(),
            "unknown", r.startedAt(), r.finishedAt()));
      }
    }
  }

  private void poll(TaskSpec t, Instant now) {
    String name = t.getName();
    TaskHandle h = handles.get(name);
    TaskDriver d;
    TaskStatus s;
    try {
      d = drivers.forTask(t);
      s = h == null ? new TaskStatus.Lost("no driver handle") : d.status(h);
    } catch (DriverException e) {
      if (e.kind() == DriverException.Kind.TASK_NOT_FOUND) {
        runs.put(name, runs.get(name).apply(new Lost(e.getMessage(), now), policy));
      } else {
        log.debug("allocation {} task {}: status unavailable: {}", id, name, e.getMessage());
      }
      return;
    }
    TaskRun r = runs.get(name);
    switch (s) {
      case TaskStatus.Running x -> {
        watches.watchAgain(name, d, h); // its driver told (or could not tell before), and it still runs
        probe(name, d, h, now);
      }
      case TaskStatus.Exited x -> runs.put(name, r.apply(new Exited(x.exitCode(), x.finishedAt()), policy));
      case TaskStatus.Killed x -> runs.put(name, r.apply(new Lost("killed: " + x.reason(), x.finishedAt()), policy));
      case TaskStatus.Lost x -> runs.put(name, r.apply(new Lost(x.reason(), now), policy));
    }
  }

  private void probe(String name, TaskDriver d, TaskHandle h, Instant now) {
    HealthCheck check = checks.get(name);
    HealthTracker tracker = trackers.get(name);
    if (check == null || tracker == null || check instanceof HealthCheck.Unsupported || !tracker.due(now)) {
      return;
    }
    HealthProber.Result result = TaskProbes.probe(check, prober, d, h);
    Instant after = clock.instant();
    tracker = tracker.record(result, check, after);
    trackers.put(name, tracker);
    runs.put(name, runs.get(name).withHealth(tracker.health()));
    if (tracker.justBecameUnhealthy()) {
      log.info("allocation {} task {}: unhealthy ({}), restarting", id, name, result.detail());
      try {
        d.stop(h, settings.stopGrace());
      } catch (DriverException e) {
        log.warn("allocation {} task {}: stop failed: {}", id, name, e.getMessage());
      }
      runs.put(name, runs.get(name).apply(new Unhealthy(result.detail(), clock.instant()), policy));
    }
  }

  private void stopSiblingsIfFailed(Instant now) {
    var failed = runs.values().stream().filter(TaskRun::isFailed).findFirst();
    if (failed.isEmpty()) {
      return;
    }
    for (String name : List.copyOf(runs.keySet())) {
      if (!runs.get(name).isDead()) {
        stopTask(name);
        runs.put(name, runs.get(name).apply(new Stopped("sibling task " + failed.get().name() + " failed", false,
            now), policy));
      }
    }
    if (description.isEmpty()) {
      description = "task " + failed.get().name() + ": " + failed.get().message();
    }
  }

  private void stopAll(String message, boolean failed) {
    stopping = true;
    Instant now = clock.instant();
    for (String name : List.copyOf(runs.keySet())) {
      if (!runs.get(name).isDead()) {
        stopTask(name);
        runs.put(name, runs.get(name).apply(new Stopped(message, failed, now), policy));
      }
    }
    if (failed) {
      description = message;
    }
    publishAndSave();
  }

  private void stopTask(String name) {
    TaskHandle h = handles.get(name);
    if (h == null) {
      return;
    }
    try {
      driverFor(name).stop(h, settings.stopGrace());
    } catch (DriverException e) {
      log.warn("allocation {} task {}: stop failed: {}", id, name, e.getMessage());
    }
  }

  private void forget() {
    for (var e : handles.entrySet()) {
      try {
        destroyQuietly(driverFor(e.getKey()), e.getValue());
      } catch (DriverException ignored) {
        // the driver is gone: nothing of ours is left to remove
      }
    }
    store.delete(id);
    onForgotten.accept(this);
  }

  private TaskDriver driverFor(String taskName) {
    return drivers.forTask(assignment.getGroup().getTasksList().stream()
        .filter(t -> t.getName().equals(taskName)).findFirst().orElseThrow());
  }

  private static void destroyQuietly(TaskDriver d, TaskHandle h) {
    try {
      d.destroy(h);
    } catch (RuntimeException e) {
      log.debug("destroy {}: {}", h.id(), e.toString());
    }
  }

  private void sampleMetrics() {
    RunningUsage usage = RunningUsage.of(handles, runs, this::driverFor);
    double cpu = usage.cpuPercent();
    double mem = usage.memoryMiB();
    Instant now = clock.instant();
    nextMetricsAt = now.plus(settings.metricsInterval());
    if (cpu == 0 && mem == 0 && metrics.getCpuPercent() == 0 && metrics.getMemoryMb() == 0
        && runs.values().stream().noneMatch(r -> r.phase() instanceof TaskPhase.Running)) {
      return; // nothing runs and nothing ran: no news
    }
    metrics = AllocationMetrics.newBuilder().setCpuPercent(cpu).setMemoryMb(Math.round(mem))
        .setTimeMs(now.toEpochMilli()).build();
    status = buildStatus();
    sink.accept(status); // metrics go up even when nothing else changed
    lastPublished = withoutMetrics(status);
  }

  /** Publishes the status and saves the allocation if either changed since the last pass. */
  private void publishAndSave() {
    AllocationStore.Saved now = new AllocationStore.Saved(assignment, Map.copyOf(runs), Map.copyOf(handles),
        description, deployStart, deployHealth.decision());
    if (now.equals(lastSaved)) {
      return; // the status derives from the same runs, description and decision: nothing to publish
    }
    AllocationStatusUpdate next = buildStatus();
    status = next;
    AllocationStatusUpdate bare = withoutMetrics(next);
    if (!bare.equals(lastPublished)) {
      lastPublished = bare;
      sink.accept(next);
    }
    lastSaved = now;
    store.save(new AllocationStore.Saved(assignment, new LinkedHashMap<>(runs), handles, description,
        deployStart, deployHealth.decision()));
  }

  private AllocationStatusUpdate buildStatus() {
    ClientStatus cs = AllocationOutcome.of(runs.values());
    var b = AllocationStatusUpdate.newBuilder().setAllocationId(id).setClientStatus(cs).setDescription(description)
        .setMetrics(metrics);
    runs.forEach((name, r) -> b.putTasks(name, r.toProto()));
    if (deployHealth.decided()) {
      b.setDeployHealth(deployHealth.decision());
    }
    return b.build();
  }

  private static AllocationStatusUpdate withoutMetrics(AllocationStatusUpdate u) {
    return u.toBuilder().clearMetrics().build();
  }

  private long nextWaitMillis() {
    boolean mustPoll = runs.values().stream().anyMatch(r -> r.phase() instanceof TaskPhase.Running
        && (!watches.contains(r.name()) || checks.containsKey(r.name())));
    return NextWake.millis(clock.instant(), mustPoll ? Optional.of(settings.pollInterval()) : Optional.empty(),
        nextMetricsAt, runs.values(), stopping ? Optional.empty() : deployHealth.nextDecisionAt());
  }

}
