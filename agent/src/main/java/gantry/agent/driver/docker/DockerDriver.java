package gantry.agent.driver.docker;

import gantry.agent.driver.CommandResult;
import gantry.agent.driver.DriverException;
import gantry.agent.driver.DriverException.Kind;
import gantry.agent.driver.PortMapping;
import gantry.agent.driver.ResourceUsage;
import gantry.agent.driver.TaskDescription;
import gantry.agent.driver.TaskDriver;
import gantry.agent.driver.TaskHandle;
import gantry.agent.driver.TaskStatus;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs each task as one Docker container, labelled {@code gantry.alloc}, {@code gantry.task} and
 * {@code gantry.job} so a restarted agent finds its containers again. Images must already be on
 * the node: the driver never pulls. Containers run with an init process (tini) as PID 1, so a
 * workload that ignores SIGTERM as PID 1 (busybox httpd) still stops. It speaks the Engine API
 * itself ({@link EngineClient}), one short connection a call, and follows the engine's events on
 * one long-lived connection ({@link EngineEvents}) to tell a runner when its container ends.
 */
public final class DockerDriver implements TaskDriver {
  public static final String LABEL_ALLOC = "gantry.alloc";
  public static final String LABEL_TASK = "gantry.task";
  public static final String LABEL_JOB = "gantry.job";
  public static final String LABEL_GROUP = "gantry.group";

  private static final Duration LOG_TIMEOUT = Duration.ofSeconds(10);
  /** Create, start, kill, remove and inspect: the engine can be slow under a burst, never this slow. */
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(120);

  private final EngineClient docker;
  private final Clock clock;
  /** Containers this driver was asked to stop, so their end reads as Killed, not Exited(137). */
  private final Set<String> stopRequested = ConcurrentHashMap.newKeySet();
  /** The engine's container events: tells a runner when its container ends. */
  private final EngineEvents events;
  private final EngineStats stats;

  DockerDriver(EngineClient docker, Clock clock) {
    this.docker = docker;
    this.clock = clock;
    this.events = EngineEvents.follow(docker, clock);
    this.stats = new EngineStats(docker);
  }

  /**
   * Connects to the engine at {@code host}, with TLS on a tcp address when {@code env} sets
   * {@code DOCKER_TLS_VERIFY}; fails at once, with the fix, if it does not answer.
   */
  public static DockerDriver connect(URI host, Map<String, String> env) {
    return new DockerDriver(DockerConnection.open(host, env), Clock.systemUTC());
  }

  /**
   * Connects to the engine at {@code DOCKER_HOST}, else on {@code /var/run/docker.sock}, with the
   * TLS settings of the process's environment.
   */
  public static DockerDriver connect() {
    return connect(DockerConnection.configuredHost(), System.getenv());
  }

  @Override
  public String name() {
    return "docker";
  }

  @Override
  public TaskHandle start(TaskDescription task) {
    if (task.image() == null || task.image().isBlank()) {
      throw new DriverException(Kind.FAILED, "task " + task.taskName() + ": the docker driver needs an image");
    }
    String id;
    // No image inspect first: the engine's create answers 404 "No such image" itself (and never
    // pulls), so one call per container fewer in a burst of starts.
    try {
      id = Json.stringAt(docker.call("POST", "/containers/create?name=" + EngineClient.query(containerName(task)),
          containerFor(task), CALL_TIMEOUT), "Id");
    } catch (EngineException e) {
      if (e.notFound()) {
        throw new DriverException(Kind.IMAGE_NOT_FOUND, "image not found: " + task.image()
            + " (images are never pulled; build or load it on this node, e.g. scripts/images.sh): " + e.engineMessage(), e);
      }
      if (e.conflict()) {
        throw new DriverException(Kind.ALREADY_RUNNING, "container " + containerName(task)
            + " already exists (recover or destroy it first): " + e.engineMessage(), e);
      }
      throw new DriverException(Kind.FAILED, "cannot create container for task " + task.taskName()
          + ": " + e.engineMessage(), e);
    } catch (RuntimeException e) {
      throw unreachable(e);
    }
    if (id == null || id.isEmpty()) {
      throw new DriverException(Kind.FAILED, "cannot create container for task " + task.taskName()
          + ": the engine's answer had no Id");
    }
    try {
      docker.call("POST", "/containers/" + id + "/start", null, CALL_TIMEOUT);
    } catch (EngineException e) {
      if (!e.notModified()) {
        removeQuietly(id);
        throw startFailure(task, e);
      }
      // 304: already started
    } catch (RuntimeException e) {
      removeQuietly(id);
      throw unreachable(e);
    }
    // The start time is the agent's clock right after the start call (within milliseconds of the
    // engine's StartedAt), not a second inspect per container: in a burst of starts every engine call counts.
    return new TaskHandle(name(), id, task.allocationId(), task.taskName(), clock.instant());
  }

  /** The create call's body (the Engine API's ContainerConfig with its HostConfig). */
  private Map<String, Object> containerFor(TaskDescription task) {
    Map<String, Object> labels = new LinkedHashMap<>(task.labels());
    labels.put(LABEL_ALLOC, task.allocationId());
    labels.put(LABEL_TASK, task.taskName());
    labels.put(LABEL_JOB, task.job());
    labels.put(LABEL_GROUP, task.group());

    List<Object> env = new ArrayList<>();
    env.add("GANTRY_ALLOC_ID=" + task.allocationId());
    env.add("GANTRY_JOB=" + task.job());
    env.add("GANTRY_GROUP=" + task.group());
    env.add("GANTRY_TASK=" + task.taskName());
    task.env().forEach((k, v) -> env.add(k + "=" + v));

    Map<String, Object> exposed = new LinkedHashMap<>();
    Map<String, Object> bindings = new LinkedHashMap<>();
    for (PortMapping p : task.ports()) {
      String port = p.containerPort() + (p.protocol() == PortMapping.Protocol.UDP ? "/udp" : "/tcp");
      exposed.put(port, Map.of());
      @SuppressWarnings("unchecked")
      List<Object> to = (List<Object>) bindings.computeIfAbsent(port, k -> new ArrayList<>());
      to.add(Map.of("HostIp", "", "HostPort", String.valueOf(p.hostPort())));
    }

    Map<String, Object> host = new LinkedHashMap<>();
    host.put("Init", true);
    host.put("PortBindings", bindings);
    if (task.cpuMillicores() > 0) {
      host.put("NanoCpus", task.cpuMillicores() * 1_000_000L);
    }
    if (task.memoryMiB() > 0) {
      long bytes = task.memoryMiB() * 1024L * 1024L;
      host.put("Memory", bytes);
      host.put("MemorySwap", bytes);
    }

    Map<String, Object> create = new LinkedHashMap<>();
    create.put("Image", task.image());
    create.put("Labels", labels);
    create.put("Env", env);
    create.put("ExposedPorts", exposed);
    create.put("HostConfig", host);
    if (!task.command().isEmpty()) {
      create.put("Cmd", List.copyOf(task.command()));
    }
    if (task.workingDir() != null && !task.workingDir().isBlank()) {
      create.put("WorkingDir", task.workingDir());
    }
    return create;
  }

  static String containerName(TaskDescription task) {
    return "gantry-" + task.allocationId() + "-" + task.taskName();
  }

  private DriverException startFailure(TaskDescription task, EngineException e) {
    String message = e.engineMessage();
    if (message.contains("port is already allocated") || message.contains("address already in use")) {
      List<String> taken = new ArrayList<>();
      for (PortMapping p : task.ports()) {
        if (message.contains(":" + p.hostPort() + " ") || message.contains(":" + p.hostPort() + ":")
            || task.ports().size() == 1) {
          taken.add(String.valueOf(p.hostPort()));
        }
      }
      String which = taken.isEmpty() ? "a host port" : "port " + String.join(", ", taken);
      return new DriverException(Kind.PORT_IN_USE,
          which + " already in use on this node (task " + task.taskName() + "): " + message, e);
    }
    return new DriverException(Kind.FAILED, "cannot start container for task " + task.taskName() + ": " + message, e);
  }

  @Override
  public TaskStatus status(TaskHandle handle) {
    Object state = Json.at(inspect(handle), "State");
    if (Json.isTrue(state, "Running") || Json.isTrue(state, "Restarting") || Json.isTrue(state, "Paused")) {
      return new TaskStatus.Running(parseTime(Json.stringAt(state, "StartedAt"), handle.startedAt()));
    }
    if ("created".equals(Json.stringAt(state, "Status"))) {
      return new TaskStatus.Running(handle.startedAt());
    }
    Instant finished = parseTime(Json.stringAt(state, "FinishedAt"), clock.instant());
    if (Json.isTrue(state, "OOMKilled")) {
      return new TaskStatus.Killed("out of memory (limit reached)", finished);
    }
    if (stopRequested.contains(handle.id())) {
      return new TaskStatus.Killed("stopped by the agent", finished);
    }
    Long code = Json.longAt(state, "ExitCode");
    return new TaskStatus.Exited(code == null ? -1 : code.intValue(), finished);
  }

  /** The engine's events tell when the container ends (it dies, or is removed): no polling. */
  @Override
  public boolean watch(TaskHandle handle, Runnable onEnd) {
    return events.watch(handle.id(), onEnd);
  }

  private Object inspect(TaskHandle handle) {
    try {
      return docker.call("GET", "/containers/" + handle.id() + "/json", null, CALL_TIMEOUT);
    } catch (EngineException e) {
      if (e.notFound()) throw notFound(handle, e);
      throw new DriverException(Kind.FAILED, "cannot inspect container " + shortId(handle) + ": " + e.engineMessage(), e);
    } catch (RuntimeException e) {
      throw unreachable(e);
    }
  }

  private Instant startedAt(String id, Instant fallback) {
    try {
      return parseTime(Json.stringAt(docker.call("GET", "/containers/" + id + "/json", null, CALL_TIMEOUT),
          "State", "StartedAt"), fallback);
    } catch (RuntimeException e) {
      return fallback;
    }
  }

  @Override
  public TaskStatus stop(TaskHandle handle, Duration grace) {
    if (status(handle).isTerminal()) {
      return status(handle);
    }
    stopRequested.add(handle.id());
    signal(handle, "SIGTERM");
    TaskStatus status = await(handle, grace);
    if (!status.isTerminal()) {
      signal(handle, "SIGKILL");
      status = await(handle, Duration.ofSeconds(10));
    }
    if (!status.isTerminal()) {
      throw new DriverException(Kind.FAILED, "container " + shortId(handle) + " still runs 10 s after SIGKILL");
    }
    return status;
  }

  private void signal(TaskHandle handle, String signal) {
    try {
      docker.call("POST", "/containers/" + handle.id() + "/kill?signal=" + signal, null, CALL_TIMEOUT);
    } catch (EngineException e) {
      if (e.notFound()) throw notFound(handle, e);
      if (!e.conflict() && !e.notModified()) {
        throw new DriverException(Kind.FAILED, "cannot send " + signal + " to container " + shortId(handle)
            + ": " + e.engineMessage(), e);
      }
      // 409 or 304: not running any more, nothing to signal
    } catch (RuntimeException e) {
      throw unreachable(e);
    }
  }

  @Override
  public List<TaskHandle> recover(String allocationId) {
    Object found;
    try {
      String filters = Json.write(Map.of("label", List.of(LABEL_ALLOC + "=" + allocationId)));
      found = docker.call("GET", "/containers/json?filters=" + EngineClient.query(filters), null, CALL_TIMEOUT);
    } catch (EngineException e) {
      throw new DriverException(Kind.FAILED, "cannot list containers of allocation " + allocationId
          + ": " + e.engineMessage(), e);
    } catch (RuntimeException e) {
      throw unreachable(e);
    }
    List<TaskHandle> handles = new ArrayList<>();
    for (Object c : found instanceof List<?> l ? l : List.of()) {
      String id = Json.stringAt(c, "Id");
      if (id == null) continue;
      String task = Json.stringAt(c, "Labels", LABEL_TASK);
      Long created = Json.longAt(c, "Created");
      Instant started = created == null ? clock.instant() : Instant.ofEpochSecond(created);
      handles.add(new TaskHandle(name(), id, allocationId, task == null ? "" : task, startedAt(id, started)));
    }
    return List.copyOf(handles);
  }

  @Override
  public ResourceUsage stats(TaskHandle handle) {
    // No inspect first: a container that no longer runs has no sample (EngineStats says NONE), and
    // one call per container fewer each metrics interval.
    try {
      return stats.sample(handle.id());
    } catch (EngineException e) {
      if (e.notFound()) throw notFound(handle, e);
      throw new DriverException(Kind.FAILED, "cannot read stats of container " + shortId(handle)
          + ": " + e.engineMessage(), e);
    } catch (RuntimeException e) {
      throw new DriverException(Kind.FAILED, "cannot read stats of container " + shortId(handle)
          + ": " + DockerConnection.rootMessage(e), e);
    }
  }

  @Override
  public String logs(TaskHandle handle, int tailLines) {
    try {
      return docker.stream("GET", "/containers/" + handle.id() + "/logs?stdout=1&stderr=1&follow=0&tail="
          + Math.max(0, tailLines), null, LOG_TIMEOUT, Integer.MAX_VALUE).text();
    } catch (EngineException e) {
      if (e.notFound()) throw notFound(handle, e);
      throw new DriverException(Kind.FAILED, "cannot read logs of container " + shortId(handle)
          + ": " + e.engineMessage(), e);
    } catch (RuntimeException e) {
      throw unreachable(e);
    }
  }

  @Override
  public CommandResult runInTask(TaskHandle handle, List<String> command, Duration timeout) {
    try {
      Map<String, Object> create = new LinkedHashMap<>();
      create.put("Cmd", List.copyOf(command));
      create.put("AttachStdout", true);
      create.put("AttachStderr", true);
      String exec = Json.stringAt(docker.call("POST", "/containers/" + handle.id() + "/exec", create, CALL_TIMEOUT), "Id");
      if (exec == null) {
        throw new DriverException(Kind.FAILED, "cannot run " + String.join(" ", command) + " in container "
            + shortId(handle) + ": the engine's answer had no Id");
      }
      EngineClient.Output out = docker.stream("POST", "/exec/" + exec + "/start",
          Map.of("Detach", false, "Tty", false), timeout.isPositive() ? timeout : Duration.ofMillis(1), CommandResult.MAX_OUTPUT);
      if (!out.complete()) {
        return CommandResult.timedOut(timeout); // the engine cannot kill an exec; it ends on its own
      }
      Long code = Json.longAt(docker.call("GET", "/exec/" + exec + "/json", null, CALL_TIMEOUT), "ExitCode");
      return new CommandResult(code == null ? -1 : code.intValue(), out.text());
    } catch (EngineException e) {
      if (e.notFound()) throw notFound(handle, e);
      throw new DriverException(Kind.FAILED, "cannot run " + String.join(" ", command) + " in container "
          + shortId(handle) + ": " + e.engineMessage(), e);
    } catch (RuntimeException e) {
      throw unreachable(e);
    }
  }

  @Override
  public void destroy(TaskHandle handle) {
    stopRequested.add(handle.id());
    removeQuietly(handle.id());
    stopRequested.remove(handle.id());
    events.forget(handle.id());
    stats.forget(handle.id());
  }

  private void removeQuietly(String id) {
    try {
      docker.call("DELETE", "/containers/" + id + "?force=1&v=1", null, CALL_TIMEOUT);
    } catch (EngineException e) {
      if (!e.notFound()) {
        throw new DriverException(Kind.FAILED, "cannot remove container " + id + ": " + e.engineMessage(), e);
      }
      // already gone
    } catch (RuntimeException e) {
      throw unreachable(e);
    }
  }

  @Override
  public void close() {
    events.close(); // the only connection held open: each engine call has its own
  }

  private static Instant parseTime(String value, Instant fallback) {
    if (value == null || value.isBlank() || value.startsWith("0001-")) {
      return fallback;
    }
    try {
      return Instant.parse(value);
    } catch (DateTimeParseException e) {
      return fallback;
    }
  }

  private static DriverException notFound(TaskHandle handle, Exception e) {
    return new DriverException(Kind.TASK_NOT_FOUND, "container " + shortId(handle) + " of task "
        + handle.taskName() + " (allocation " + handle.allocationId() + ") no longer exists", e);
  }

  private static DriverException unreachable(RuntimeException e) {
    if (e instanceof DriverException de) {
      return de;
    }
    return new DriverException(Kind.UNAVAILABLE, "Docker engine did not answer ("
        + DockerConnection.rootMessage(e) + "); " + DockerConnection.START_HINT, e);
  }

  private static String shortId(TaskHandle handle) {
    return handle.id().length() > 12 ? handle.id().substring(0, 12) : handle.id();
  }
}
