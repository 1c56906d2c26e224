package gantry.agent.driver.docker;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.async.ResultCallback;
import com.github.dockerjava.api.command.CreateContainerCmd;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.ConflictException;
import com.github.dockerjava.api.exception.DockerException;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.exception.NotModifiedException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.ExposedPort;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.HostConfig;
import com.github.dockerjava.api.model.Ports;
import com.github.dockerjava.api.model.Statistics;
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
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs each task as one Docker container, labelled {@code gantry.alloc}, {@code gantry.task} and
 * {@code gantry.job} so a restarted agent finds its containers again. Images must already be on
 * the node: the driver never pulls. Containers run with an init process (tini) as PID 1, so a
 * workload that ignores SIGTERM as PID 1 (busybox httpd) still stops.
 */
public final class DockerDriver implements TaskDriver {
  public static final String LABEL_ALLOC = "gantry.alloc";
  public static final String LABEL_TASK = "gantry.task";
  public static final String LABEL_JOB = "gantry.job";
  public static final String LABEL_GROUP = "gantry.group";

  private static final Pattern ENGINE_MESSAGE = Pattern.compile("\"message\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\"");
  private static final Duration LOG_TIMEOUT = Duration.ofSeconds(10);
  private static final Duration STATS_TIMEOUT = Duration.ofSeconds(5);

  private final DockerClient docker;
  private final Clock clock;
  /** Containers this driver was asked to stop, so their end reads as Killed, not Exited(137). */
  private final Set<String> stopRequested = ConcurrentHashMap.newKeySet();

  DockerDriver(DockerClient docker, Clock clock) {
    this.docker = docker;
    this.clock = clock;
  }

  /** Connects to the engine at {@code host}; fails at once, with the fix, if it does not answer. */
  public static DockerDriver connect(URI host) {
    return new DockerDriver(DockerConnection.open(host), Clock.systemUTC());
  }

  /** Connects to the engine at {@code DOCKER_HOST}, else on {@code /var/run/docker.sock}. */
  public static DockerDriver connect() {
    return connect(DockerConnection.configuredHost());
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
    try (CreateContainerCmd create = containerFor(task)) {
      id = create.exec().getId();
    } catch (NotFoundException e) {
      throw new DriverException(Kind.IMAGE_NOT_FOUND, "image not found: " + task.image()
          + " (images are never pulled; build or load it on this node, e.g. scripts/images.sh): " + engineMessage(e), e);
    } catch (ConflictException e) {
      throw new DriverException(Kind.ALREADY_RUNNING, "container " + containerName(task)
          + " already exists (recover or destroy it first): " + engineMessage(e), e);
    } catch (DockerException e) {
      throw new DriverException(Kind.FAILED, "cannot create container for task " + task.taskName()
          + ": " + engineMessage(e), e);
    } catch (RuntimeException e) {
      throw unreachable(e);
    }
    try {
      docker.startContainerCmd(id).exec();
    } catch (RuntimeException e) {
      removeQuietly(id);
      throw startFailure(task, e);
    }
    // The start time is the agent's clock right after the start call (within milliseconds of the
    // engine's StartedAt), not a second inspect per container: in a burst of starts every engine call counts.
    return new TaskHandle(name(), id, task.allocationId(), task.taskName(), clock.instant());
  }

  private CreateContainerCmd containerFor(TaskDescription task) {
    Map<String, String> labels = new LinkedHashMap<>(task.labels());
    labels.put(LABEL_ALLOC, task.allocationId());
    labels.put(LABEL_TASK, task.taskName());
    labels.put(LABEL_JOB, task.job());
    labels.put(LABEL_GROUP, task.group());

    List<String> env = new ArrayList<>();
    env.add("GANTRY_ALLOC_ID=" + task.allocationId());
    env.add("GANTRY_JOB=" + task.job());
    env.add("GANTRY_GROUP=" + task.group());
    env.add("GANTRY_TASK=" + task.taskName());
    task.env().forEach((k, v) -> env.add(k + "=" + v));

    Ports bindings = new Ports();
    List<ExposedPort> exposed = new ArrayList<>();
    for (PortMapping p : task.ports()) {
      ExposedPort port = p.protocol() == PortMapping.Protocol.UDP
          ? ExposedPort.udp(p.containerPort()) : ExposedPort.tcp(p.containerPort());
      exposed.add(port);
      bindings.bind(port, Ports.Binding.bindPort(p.hostPort()));
    }

    HostConfig host = HostConfig.newHostConfig().withInit(true).withPortBindings(bindings);
    if (task.cpuMillicores() > 0) {
      host.withNanoCPUs(task.cpuMillicores() * 1_000_000L);
    }
    if (task.memoryMiB() > 0) {
      long bytes = task.memoryMiB() * 1024L * 1024L;
      host.withMemory(bytes).withMemorySwap(bytes);
    }

    CreateContainerCmd create = docker.createContainerCmd(task.image())
        .withName(containerName(task))
        .withLabels(labels)
        .withEnv(env)
        .withExposedPorts(exposed)
        .withHostConfig(host);
    if (!task.command().isEmpty()) {
      create.withCmd(task.command());
    }
    if (task.workingDir() != null && !task.workingDir().isBlank()) {
      create.withWorkingDir(task.workingDir());
    }
    return create;
  }

  static String containerName(TaskDescription task) {
    return "gantry-" + task.allocationId() + "-" + task.taskName();
  }

  private DriverException startFailure(TaskDescription task, RuntimeException e) {
    if (!(e instanceof DockerException de)) {
      return unreachable(e);
    }
    String message = engineMessage(de);
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
    InspectContainerResponse.ContainerState state = inspect(handle).getState();
    if (Boolean.TRUE.equals(state.getRunning()) || Boolean.TRUE.equals(state.getRestarting())
        || Boolean.TRUE.equals(state.getPaused())) {
      return new TaskStatus.Running(parseTime(state.getStartedAt(), handle.startedAt()));
    }
    String status = state.getStatus();
    if ("created".equals(status)) {
      return new TaskStatus.Running(handle.startedAt());
    }
    Instant finished = parseTime(state.getFinishedAt(), clock.instant());
    if (Boolean.TRUE.equals(state.getOOMKilled())) {
      return new TaskStatus.Killed("out of memory (limit reached)", finished);
    }
    if (stopRequested.contains(handle.id())) {
      return new TaskStatus.Killed("stopped by the agent", finished);
    }
    Long code = state.getExitCodeLong();
    return new TaskStatus.Exited(code == null ? -1 : code.intValue(), finished);
  }

  private InspectContainerResponse inspect(TaskHandle handle) {
    try {
      return docker.inspectContainerCmd(handle.id()).exec();
    } catch (NotFoundException e) {
      throw notFound(handle, e);
    } catch (DockerException e) {
      throw new DriverException(Kind.FAILED, "cannot inspect container " + shortId(handle) + ": " + engineMessage(e), e);
    } catch (RuntimeException e) {
      throw unreachable(e);
    }
  }

  private Instant startedAt(String id, Instant fallback) {
    try {
      return parseTime(docker.inspectContainerCmd(id).exec().getState().getStartedAt(), fallback);
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
      docker.killContainerCmd(handle.id()).withSignal(signal).exec();
    } catch (ConflictException | NotModifiedException e) {
      // not running any more: nothing to signal
    } catch (NotFoundException e) {
      throw notFound(handle, e);
    } catch (DockerException e) {
      throw new DriverException(Kind.FAILED, "cannot send " + signal + " to container " + shortId(handle)
          + ": " + engineMessage(e), e);
    } catch (RuntimeException e) {
      throw unreachable(e);
    }
  }

  @Override
  public List<TaskHandle> recover(String allocationId) {
    List<Container> found;
    try {
      found = docker.listContainersCmd().withShowAll(false)
          .withLabelFilter(Map.of(LABEL_ALLOC, allocationId)).exec();
    } catch (DockerException e) {
      throw new DriverException(Kind.FAILED, "cannot list containers of allocation " + allocationId
          + ": " + engineMessage(e), e);
    } catch (RuntimeException e) {
      throw unreachable(e);
    }
    List<TaskHandle> handles = new ArrayList<>();
    for (Container c : found) {
      Map<String, String> labels = c.getLabels() == null ? Map.of() : c.getLabels();
      String task = labels.getOrDefault(LABEL_TASK, "");
      Instant started = c.getCreated() == null ? clock.instant() : Instant.ofEpochSecond(c.getCreated());
      handles.add(new TaskHandle(name(), c.getId(), allocationId, task, startedAt(c.getId(), started)));
    }
    return List.copyOf(handles);
  }

  @Override
  public ResourceUsage stats(TaskHandle handle) {
    if (status(handle).isTerminal()) {
      return ResourceUsage.NONE;
    }
    CompletableFuture<Statistics> sample = new CompletableFuture<>();
    ResultCallback.Adapter<Statistics> callback = new ResultCallback.Adapter<>() {
      @Override
      public void onNext(Statistics s) {
        sample.complete(s);
      }

      @Override
      public void onError(Throwable t) {
        sample.completeExceptionally(t);
        super.onError(t);
      }
    };
    try {
      docker.statsCmd(handle.id()).withNoStream(true).exec(callback);
      return usageOf(sample.get(STATS_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DriverException(Kind.FAILED, "interrupted while reading stats of " + shortId(handle), e);
    } catch (Exception e) {
      throw new DriverException(Kind.FAILED, "cannot read stats of container " + shortId(handle)
          + ": " + DockerConnection.rootMessage(e), e);
    } finally {
      closeQuietly(callback);
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception ignored) {
      // the stream is done with either way
    }
  }

  private static ResourceUsage usageOf(Statistics s) {
    double cpu = 0;
    if (s.getCpuStats() != null && s.getPreCpuStats() != null
        && s.getCpuStats().getCpuUsage() != null && s.getPreCpuStats().getCpuUsage() != null) {
      var now = s.getCpuStats();
      var prev = s.getPreCpuStats();
      long online = now.getOnlineCpus() != null ? now.getOnlineCpus()
          : now.getCpuUsage().getPercpuUsage() != null ? now.getCpuUsage().getPercpuUsage().size() : 1;
      cpu = CpuPercent.of(orZero(now.getCpuUsage().getTotalUsage()), orZero(prev.getCpuUsage().getTotalUsage()),
          orZero(now.getSystemCpuUsage()), orZero(prev.getSystemCpuUsage()), online);
    }
    double memory = 0;
    if (s.getMemoryStats() != null && s.getMemoryStats().getUsage() != null) {
      long bytes = s.getMemoryStats().getUsage();
      // Like `docker stats`: page cache is reclaimable, so it does not count as use.
      if (s.getMemoryStats().getStats() != null) {
        Long cache = s.getMemoryStats().getStats().getTotalInactiveFile();
        if (cache == null) {
          cache = s.getMemoryStats().getStats().getCache();
        }
        if (cache != null && cache < bytes) {
          bytes -= cache;
        }
      }
      memory = bytes / (1024.0 * 1024.0);
    }
    return new ResourceUsage(cpu, memory);
  }

  private static long orZero(Long v) {
    return v == null ? 0 : v;
  }

  @Override
  public String logs(TaskHandle handle, int tailLines) {
    StringBuilder out = new StringBuilder();
    ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
      @Override
      public void onNext(Frame frame) {
        synchronized (out) {
          out.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
        }
      }
    };
    try {
      docker.logContainerCmd(handle.id()).withStdOut(true).withStdErr(true)
          .withTail(Math.max(0, tailLines)).withFollowStream(false)
          .exec(callback).awaitCompletion(LOG_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DriverException(Kind.FAILED, "interrupted while reading logs of " + shortId(handle), e);
    } catch (NotFoundException e) {
      throw notFound(handle, e);
    } catch (DockerException e) {
      throw new DriverException(Kind.FAILED, "cannot read logs of container " + shortId(handle)
          + ": " + engineMessage(e), e);
    } catch (RuntimeException e) {
      throw unreachable(e);
    }
    synchronized (out) {
      return out.toString();
    }
  }

  @Override
  public CommandResult runInTask(TaskHandle handle, List<String> command, Duration timeout) {
    StringBuilder out = new StringBuilder();
    ResultCallback.Adapter<Frame> callback = new ResultCallback.Adapter<>() {
      @Override
      public void onNext(Frame frame) {
        synchronized (out) {
          if (out.length() < CommandResult.MAX_OUTPUT) {
            out.append(new String(frame.getPayload(), StandardCharsets.UTF_8));
          }
        }
      }
    };
    try {
      String exec = docker.execCreateCmd(handle.id()).withCmd(command.toArray(String[]::new))
          .withAttachStdout(true).withAttachStderr(true).exec().getId();
      boolean done = docker.execStartCmd(exec).exec(callback)
          .awaitCompletion(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS);
      if (!done) {
        return CommandResult.timedOut(timeout); // the engine cannot kill an exec; it ends on its own
      }
      Long code = docker.inspectExecCmd(exec).exec().getExitCodeLong();
      synchronized (out) {
        return new CommandResult(code == null ? -1 : code.intValue(), out.toString());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new DriverException(Kind.FAILED, "interrupted while running a command in " + shortId(handle), e);
    } catch (NotFoundException e) {
      throw notFound(handle, e);
    } catch (DockerException e) {
      throw new DriverException(Kind.FAILED, "cannot run " + String.join(" ", command) + " in container "
          + shortId(handle) + ": " + engineMessage(e), e);
    } catch (RuntimeException e) {
      throw unreachable(e);
    } finally {
      closeQuietly(callback);
    }
  }

  @Override
  public void destroy(TaskHandle handle) {
    stopRequested.add(handle.id());
    removeQuietly(handle.id());
    stopRequested.remove(handle.id());
  }

  private void removeQuietly(String id) {
    try {
      docker.removeContainerCmd(id).withForce(true).withRemoveVolumes(true).exec();
    } catch (NotFoundException e) {
      // already gone
    } catch (DockerException e) {
      throw new DriverException(Kind.FAILED, "cannot remove container " + id + ": " + engineMessage(e), e);
    } catch (RuntimeException e) {
      throw unreachable(e);
    }
  }

  @Override
  public void close() {
    DockerConnection.closeQuietly(docker);
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

  /** The engine's own sentence out of docker-java's "Status 500: {"message":"..."}". */
  static String engineMessage(DockerException e) {
    String raw = e.getMessage() == null ? "" : e.getMessage();
    Matcher m = ENGINE_MESSAGE.matcher(raw);
    String message = m.find() ? m.group(1).replace("\\\"", "\"") : raw;
    return message.strip();
  }
}
