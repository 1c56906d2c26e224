package gantry.agent.driver.docker;

import gantry.agent.driver.ResourceUsage;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A container's CPU and memory from the engine's {@code stats}, as {@code docker stats} shows them.
 * The first sample of a container is taken as {@code docker stats --no-stream} takes it (the engine
 * reads twice, a second apart, and the CPU is that second's); each later one is a single read
 * ({@code one-shot}), whose CPU covers the whole time since the previous sample, from the counters
 * kept here. So the engine reads each container once per sample instead of twice, and the CPU
 * figure is the interval's average, not its last second's.
 */
final class EngineStats {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  /** A container's cumulative CPU time and the host's, in nanoseconds, at one sample. */
  record Counters(long container, long system) {
    /** The counters of one stats answer's current read; null when it has none. */
    static Counters of(Object answer) {
      Long total = Json.longAt(answer, "cpu_stats", "cpu_usage", "total_usage");
      Long system = Json.longAt(answer, "cpu_stats", "system_cpu_usage");
      return total == null || system == null ? null : new Counters(total, system);
    }
  }

  private final EngineClient docker;
  private final Map<String, Counters> last = new ConcurrentHashMap<>();

  EngineStats(EngineClient docker) {
    this.docker = docker;
  }

  /**
   * One sample of container {@code id}; {@link ResourceUsage#NONE} when it no longer runs (the
   * engine answers zeros read at the zero time).
   *
   * @throws EngineException on an answer of 400 and up (404: no such container)
   * @throws RuntimeException when the engine cannot be reached in time
   */
  ResourceUsage sample(String id) {
    Counters previous = last.get(id);
    Object s = docker.call("GET", "/containers/" + id + "/stats?stream=false" + (previous == null ? "" : "&one-shot=true"),
        null, TIMEOUT);
    String read = Json.stringAt(s, "read");
    if (read == null || read.startsWith("0001-")) {
      last.remove(id);
      return ResourceUsage.NONE;
    }
    Counters now = Counters.of(s);
    if (now != null) {
      last.put(id, now);
    }
    return usageOf(s, previous);
  }

  /** Drops what is kept of container {@code id} (it was removed). */
  void forget(String id) {
    last.remove(id);
  }

  /**
   * CPU and memory of one stats answer; its CPU against {@code previous} (a sample kept from
   * earlier), or against the answer's own previous read ({@code precpu_stats}) when null.
   */
  static ResourceUsage usageOf(Object s, Counters previous) {
    double cpu = 0;
    Long total = Json.longAt(s, "cpu_stats", "cpu_usage", "total_usage");
    Long prevTotal = previous != null ? Long.valueOf(previous.container()) : Json.longAt(s, "precpu_stats", "cpu_usage", "total_usage");
    long prevSystem = previous != null ? previous.system() : orZero(Json.longAt(s, "precpu_stats", "system_cpu_usage"));
    // A one-shot answer's previous read is empty (no host time): no CPU figure from it.
    if (total != null && prevTotal != null && prevSystem > 0) {
      Long online = Json.longAt(s, "cpu_stats", "online_cpus");
      if (online == null) {
        online = Json.at(s, "cpu_stats", "cpu_usage", "percpu_usage") instanceof List<?> per ? (long) per.size() : 1L;
      }
      cpu = CpuPercent.of(total, prevTotal, orZero(Json.longAt(s, "cpu_stats", "system_cpu_usage")), prevSystem, online);
    }
    double memory = 0;
    Long usage = Json.longAt(s, "memory_stats", "usage");
    if (usage != null) {
      long bytes = usage;
      // Like `docker stats`: page cache is reclaimable, so it does not count as use (cgroup v1
      // names it total_inactive_file, v2 inactive_file; older engines only cache).
      Long cache = Json.longAt(s, "memory_stats", "stats", "total_inactive_file");
      if (cache == null) cache = Json.longAt(s, "memory_stats", "stats", "inactive_file");
      if (cache == null) cache = Json.longAt(s, "memory_stats", "stats", "cache");
      if (cache != null && cache < bytes) {
        bytes -= cache;
      }
      memory = bytes / (1024.0 * 1024.0);
    }
    return new ResourceUsage(cpu, memory);
  }

  private static long orZero(Long v) {
    return v == null ? 0 : v;
  }
}
