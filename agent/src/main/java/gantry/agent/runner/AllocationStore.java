package gantry.agent.runner;

import com.google.protobuf.InvalidProtocolBufferException;
import gantry.agent.driver.TaskHandle;
import gantry.v1.Assignment;
import gantry.v1.DeployHealth;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One small file per allocation, so an agent restart re-attaches instead of starting duplicates:
 *
 * <pre>
 *   DATA_DIR/allocs/ALLOC_ID.properties
 *     assignment                 base64 of the Assignment protobuf (allocation + group spec)
 *     description                the allocation's client description (e.g. fenced: ...)
 *     deploy.start               when the runner first started it (the healthy deadline counts from it)
 *     deploy.health              base64 of the DeployHealth protobuf, once decided
 *     task.NAME.phase            pending | running | restarting | dead | failed
 *     task.NAME.restarts / .message / .startedAt / .finishedAt / .restartAt / .restartTimes
 *     task.NAME.handle.driver / .handle.id / .handle.startedAt   the last driver handle
 * </pre>
 *
 * Written to a temporary file and renamed, so a crash leaves the old or the new file, never half
 * of one. {@link #none()} keeps nothing (simulated nodes).
 */
public final class AllocationStore {
  private static final Logger log = LoggerFactory.getLogger(AllocationStore.class);
  private static final String SUFFIX = ".properties";

  private final Path dir;

  private AllocationStore(Path dir) {
    this.dir = dir;
  }

  public static AllocationStore in(Path dataDir) {
    Path dir = dataDir.resolve("allocs");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir, e);
    }
    return new AllocationStore(dir);
  }

  /** A store that keeps nothing. */
  public static AllocationStore none() {
    return new AllocationStore(null);
  }

  /**
   * What was saved for one allocation. {@code deployStart} is null in a file written before it was
   * kept; {@code deployHealth} is the default instance while undecided.
   */
  public record Saved(Assignment assignment, Map<String, TaskRun> runs, Map<String, TaskHandle> handles,
      String description, Instant deployStart, DeployHealth deployHealth) {
    public Saved {
      deployHealth = deployHealth == null ? DeployHealth.getDefaultInstance() : deployHealth;
    }

    /** Without deploy health (a group without an update block, or a test that has none). */
    public Saved(Assignment assignment, Map<String, TaskRun> runs, Map<String, TaskHandle> handles,
        String description) {
      this(assignment, runs, handles, description, null, null);
    }
  }

  public void save(Saved s) {
    if (dir == null) {
      return;
    }
    Properties p = new Properties();
    p.setProperty("assignment", Base64.getEncoder().encodeToString(s.assignment().toByteArray()));
    p.setProperty("description", s.description());
    putInstant(p, "deploy.start", s.deployStart());
    if (!s.deployHealth().getStatus().isEmpty()) {
      p.setProperty("deploy.health", Base64.getEncoder().encodeToString(s.deployHealth().toByteArray()));
    }
    s.runs().forEach((name, r) -> {
      String k = "task." + name + ".";
      p.setProperty(k + "phase", phaseName(r.phase()));
      p.setProperty(k + "restarts", Integer.toString(r.restarts()));
      p.setProperty(k + "message", r.message());
      p.setProperty(k + "health", r.health());
      putInstant(p, k + "startedAt", r.startedAt());
      putInstant(p, k + "finishedAt", r.finishedAt());
      if (r.phase() instanceof TaskPhase.Restarting rs) {
        putInstant(p, k + "restartAt", rs.restartAt());
      }
      p.setProperty(k + "restartTimes", String.join(",", r.restartTimes().stream().map(Instant::toString).toList()));
    });
    s.handles().forEach((name, h) -> {
      String k = "task." + name + ".handle.";
      p.setProperty(k + "driver", h.driver());
      p.setProperty(k + "id", h.id());
      putInstant(p, k + "startedAt", h.startedAt());
    });
    String id = s.assignment().getAllocation().getId();
    Path file = dir.resolve(id + SUFFIX);
    Path tmp = dir.resolve(id + SUFFIX + ".tmp");
    try {
      try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
        p.store(w, "gantry allocation " + id);
      }
      try {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException e) {
      log.warn("cannot save allocation {} to {}: {}", id, file, e.toString());
    }
  }

  public void delete(String allocationId) {
    if (dir == null) {
      return;
    }
    try {
      Files.deleteIfExists(dir.resolve(allocationId + SUFFIX));
    } catch (IOException e) {
      log.warn("cannot delete the file of allocation {}: {}", allocationId, e.toString());
    }
  }

  /** Every allocation saved; unreadable files are skipped with a warning. */
  public List<Saved> loadAll() {
    if (dir == null) {
      return List.of();
    }
    List<Saved> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path f : files.filter(x -> x.getFileName().toString().endsWith(SUFFIX)).sorted().toList()) {
        try {
          out.add(load(f));
        } catch (IOException | RuntimeException e) {
          log.warn("skipping unreadable allocation file {}: {}", f, e.toString());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    return out;
  }

  private static Saved load(Path f) throws IOException {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
      p.load(r);
    }
    Assignment a;
    try {
      a = Assignment.parseFrom(Base64.getDecoder().decode(p.getProperty("assignment", "")));
    } catch (InvalidProtocolBufferException e) {
      throw new IOException("bad assignment: " + e.getMessage(), e);
    }
    Map<String, TaskRun> runs = new LinkedHashMap<>();
    Map<String, TaskHandle> handles = new LinkedHashMap<>();
    for (var task : a.getGroup().getTasksList()) {
      String name = task.getName();
      String k = "task." + name + ".";
      String phase = p.getProperty(k + "phase");
      if (phase != null) {
        TaskPhase ph = switch (phase) {
          case "running" -> new TaskPhase.Running();
          case "restarting" -> new TaskPhase.Restarting(instant(p, k + "restartAt", Instant.EPOCH));
          case "dead" -> new TaskPhase.Dead(false);
          case "failed" -> new TaskPhase.Dead(true);
          default -> new TaskPhase.Pending();
        };
        String times = p.getProperty(k + "restartTimes", "");
        List<Instant> restartTimes = times.isEmpty() ? List.of()
            : Stream.of(times.split(",")).map(Instant::parse).toList();
        runs.put(name, new TaskRun(name, ph, Integer.parseInt(p.getProperty(k + "restarts", "0")), restartTimes,
            p.getProperty(k + "message", ""), p.getProperty(k + "health", ""), instant(p, k + "startedAt", null),
            instant(p, k + "finishedAt", null)));
      }
      String hk = k + "handle.";
      if (p.getProperty(hk + "id") != null) {
        handles.put(name, new TaskHandle(p.getProperty(hk + "driver"), p.getProperty(hk + "id"),
            a.getAllocation().getId(), name, instant(p, hk + "startedAt", Instant.EPOCH)));
      }
    }
    DeployHealth deployHealth;
    try {
      deployHealth = DeployHealth.parseFrom(Base64.getDecoder().decode(p.getProperty("deploy.health", "")));
    } catch (InvalidProtocolBufferException e) {
      throw new IOException("bad deploy.health: " + e.getMessage(), e);
    }
    return new Saved(a, runs, handles, p.getProperty("description", ""), instant(p, "deploy.start", null),
        deployHealth);
  }

  private static String phaseName(TaskPhase phase) {
    return switch (phase) {
      case TaskPhase.Pending x -> "pending";
      case TaskPhase.Running x -> "running";
      case TaskPhase.Restarting x -> "restarting";
      case TaskPhase.Dead d -> d.failed() ? "failed" : "dead";
    };
  }

  private static void putInstant(Properties p, String key, Instant t) {
    if (t != null) {
      p.setProperty(key, t.toString());
    }
  }

  private static Instant instant(Properties p, String key, Instant fallback) {
    String v = p.getProperty(key);
    return v == null || v.isEmpty() ? fallback : Instant.parse(v);
  }
}
