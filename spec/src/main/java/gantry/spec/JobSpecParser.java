package gantry.spec;

import gantry.v1.Affinity;
import gantry.v1.CheckSpec;
import gantry.v1.Constraint;
import gantry.v1.DisconnectPolicy;
import gantry.v1.GroupSpec;
import gantry.v1.JobSpec;
import gantry.v1.PortSpec;
import gantry.v1.Resources;
import gantry.v1.RestartPolicy;
import gantry.v1.ScalingPolicy;
import gantry.v1.ServiceSpec;
import gantry.v1.SpreadSpec;
import gantry.v1.SpreadTarget;
import gantry.v1.TaskSpec;
import gantry.v1.UpdatePolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Reads a job spec (YAML; JSON is YAML too) into a {@link JobSpec}.
 *
 * <p>Only shape and types are checked here. Whether a name is present, a count is non-negative or
 * a driver exists is the server's rule (INVALID_ARGUMENT naming the field), so there is one
 * authority and gRPC clients get the same answers as the CLI.
 */
public final class JobSpecParser {
  /** Larger files are refused before parsing: a job spec is a page, not a data set. */
  public static final long MAX_BYTES = Limits.MAX_FILE_BYTES;

  private static final List<String> JOB = List.of("job", "type", "priority", "constraints", "affinities", "meta", "groups");
  private static final List<String> GROUP = List.of("name", "count", "placement", "spread", "constraints", "affinities",
      "restart", "disconnect", "update", "scaling", "tasks");
  private static final List<String> TASK = List.of("name", "driver", "image", "command", "resources", "ports", "env", "check",
      "working_dir", "service");
  private static final List<String> CONSTRAINT = List.of("attribute", "operator", "value");
  private static final List<String> AFFINITY = List.of("attribute", "operator", "value", "weight");
  private static final List<String> SPREAD = List.of("attribute", "weight", "targets");
  private static final List<String> SPREAD_TARGET = List.of("value", "percent");
  private static final List<String> RESTART = List.of("attempts", "delay", "mode", "interval");
  private static final List<String> DISCONNECT = List.of("stop_after");
  private static final List<String> UPDATE = List.of("max_parallel", "min_healthy_time", "healthy_deadline", "auto_revert",
      "order", "progress_deadline", "canary", "auto_promote", "health_check", "stagger");
  /** Nomad's defaults for an update block's keys that are not given. */
  static final int DEFAULT_MAX_PARALLEL = 1;
  static final long DEFAULT_MIN_HEALTHY_TIME_MS = 10_000;
  static final long DEFAULT_HEALTHY_DEADLINE_MS = 5 * 60_000;
  static final String DEFAULT_ORDER = "start_first";
  static final long DEFAULT_PROGRESS_DEADLINE_MS = 10 * 60_000;
  static final String DEFAULT_HEALTH_CHECK = "checks";
  private static final List<String> SCALING = List.of("min", "max", "target_cpu", "target_memory", "scale_out_above",
      "scale_in_below", "step", "step_percent", "window", "cooldown", "scale_out_cooldown", "scale_in_cooldown",
      "scale_in_stabilization", "max_step");
  /** The defaults of a scaling block's keys that are not given (thresholds only without a target). */
  static final int DEFAULT_SCALE_OUT_ABOVE = 80;
  static final int DEFAULT_SCALE_IN_BELOW = 30;
  static final int DEFAULT_STEP = 1;
  static final long DEFAULT_WINDOW_MS = 30_000;
  static final long DEFAULT_COOLDOWN_MS = 30_000;
  static final long DEFAULT_SCALE_IN_STABILIZATION_MS = 60_000;
  private static final List<String> SERVICE = List.of("name", "port", "tags", "weight");
  static final String HEADROOM = "headroom";
  private static final List<String> RESOURCES = List.of("cpu", "memory");
  private static final List<String> PORT = List.of("name", "to", "static");
  private static final List<String> CHECK = List.of("type", "port", "path", "interval", "timeout", "command");

  private JobSpecParser() {}

  /** @throws SpecException naming the field path (or {@code spec} for the file as a whole) */
  public static JobSpec parseFile(Path file) {
    long size;
    try {
      size = Files.size(file);
    } catch (IOException e) {
      throw new SpecException("spec", "cannot read " + file + ": " + reason(e));
    }
    if (size > MAX_BYTES) {
      throw new SpecException("spec", String.format(Locale.ROOT, "file is %.1f MiB; the limit is 1 MiB", size / (double) MAX_BYTES));
    }
    try {
      return parse(Files.readString(file));
    } catch (IOException e) {
      throw new SpecException("spec", "cannot read " + file + ": " + reason(e));
    }
  }

  /** @throws SpecException naming the field path */
  public static JobSpec parse(String text) {
    if (text.length() > MAX_BYTES) throw new SpecException("spec", "text is over the limit of 1 MiB");
    if (text.stripLeading().startsWith("{")) {
      // JSON allows tabs as whitespace, YAML does not; valid JSON has no raw tab inside a string,
      // so replacing them one for one keeps meaning and error columns.
      text = text.replace('\t', ' ');
    }
    Object doc;
    try {
      doc = SafeYaml.load(text);
    } catch (SafeYaml.Invalid e) {
      throw new SpecException("spec", e.getMessage());
    }
    if (doc == null) throw new SpecException("spec", "the file is empty; expected a mapping with " + String.join(", ", JOB));
    return job(SpecMap.of("", doc).allowOnly(JOB));
  }




  private static JobSpec job(SpecMap m) {
    var b = JobSpec.newBuilder();
    m.string("job", b::setName);
    m.string("type", b::setType);
    m.integer("priority", b::setPriority);
    m.mappings("constraints", c -> b.addConstraints(constraint(c)));
    m.mappings("affinities", a -> b.addAffinities(affinity(a)));
    m.stringMap("meta", b::putMeta);
    m.mappings("groups", g -> b.addGroups(group(g)));
    return b.build();
  }

  private static GroupSpec group(SpecMap m) {
    m.allowOnly(GROUP);
    var b = GroupSpec.newBuilder();
    m.string("name", b::setName);
    m.integer("count", b::setCount); // only when written: the server defaults an absent count to 1
    m.string("placement", b::setPlacement);
    m.mappings("spread", s -> b.addSpread(spread(s)));
    m.mappings("constraints", c -> b.addConstraints(constraint(c)));
    m.mappings("affinities", a -> b.addAffinities(affinity(a)));
    m.mapping("restart", r -> b.setRestart(restart(r)));
    m.mapping("disconnect", d -> {
      d.allowOnly(DISCONNECT);
      var p = DisconnectPolicy.newBuilder();
      d.durationMs("stop_after", p::setStopAfterMs);
      b.setDisconnect(p);
    });
    m.mapping("update", u -> b.setUpdate(update(u)));
    m.mapping("scaling", s -> b.setScaling(scaling(s)));
    m.mappings("tasks", t -> b.addTasks(task(t)));
    return b.build();
  }

  private static TaskSpec task(SpecMap m) {
    m.allowOnly(TASK);
    var b = TaskSpec.newBuilder();
    m.string("name", b::setName);
    m.string("driver", b::setDriver);
    m.string("image", b::setImage);
    m.strings("command", b::addCommand);
    m.mapping("resources", r -> {
      r.allowOnly(RESOURCES);
      var res = Resources.newBuilder();
      r.wholeNumber("cpu", "a whole number of millicores", res::setCpu);
      r.memoryMiB("memory", res::setMemory);
      b.setResources(res);
    });
    m.mappings("ports", p -> {
      p.allowOnly(PORT);
      var port = PortSpec.newBuilder();
      p.string("name", port::setName);
      p.integer("to", port::setTo);
      p.integer("static", port::setStatic);
      b.addPorts(port);
    });
    m.stringMap("env", b::putEnv);
    m.mapping("check", c -> b.setCheck(check(c)));
    m.string("working_dir", b::setWorkingDir);
    m.mapping("service", s -> b.setService(service(s)));
    return b.build();
  }

  private static ServiceSpec service(SpecMap m) {
    m.allowOnly(SERVICE);
    var b = ServiceSpec.newBuilder();
    m.string("name", b::setName);
    m.string("port", b::setPort);
    m.strings("tags", b::addTags);
    m.string("weight", w -> {
      if (w.equals(HEADROOM)) {
        b.setHeadroom(true);
        return;
      }
      long weight = w.matches("\\d{1,18}") ? Long.parseLong(w) : 0;
      if (weight <= 0) {
        throw new SpecException(m.field("weight"), "expected a positive whole number or " + HEADROOM + ", got "
            + SpecMap.describe(w));
      }
      b.setWeight(weight);
    });
    return b.build();
  }

  private static CheckSpec check(SpecMap m) {
    m.allowOnly(CHECK);
    var b = CheckSpec.newBuilder();
    m.string("type", b::setType);
    m.string("port", b::setPort);
    m.string("path", b::setPath);
    m.durationMs("interval", b::setIntervalMs);
    m.durationMs("timeout", b::setTimeoutMs);
    m.strings("command", b::addCommand);
    return b.build();
  }

  private static Constraint constraint(SpecMap m) {
    m.allowOnly(CONSTRAINT);
    var b = Constraint.newBuilder();
    m.string("attribute", b::setAttribute);
    m.string("operator", b::setOperator);
    m.string("value", b::setValue);
    return b.build();
  }

  private static Affinity affinity(SpecMap m) {
    m.allowOnly(AFFINITY);
    var b = Affinity.newBuilder();
    m.string("attribute", b::setAttribute);
    m.string("operator", b::setOperator);
    m.string("value", b::setValue);
    m.integer("weight", b::setWeight);
    return b.build();
  }

  private static SpreadSpec spread(SpecMap m) {
    m.allowOnly(SPREAD);
    var b = SpreadSpec.newBuilder();
    m.string("attribute", b::setAttribute);
    m.integer("weight", b::setWeight);
    m.mappings("targets", t -> {
      t.allowOnly(SPREAD_TARGET);
      var target = SpreadTarget.newBuilder();
      t.string("value", target::setValue);
      t.integer("percent", target::setPercent);
      b.addTargets(target);
    });
    return b.build();
  }

  private static RestartPolicy restart(SpecMap m) {
    m.allowOnly(RESTART);
    var b = RestartPolicy.newBuilder();
    m.integer("attempts", b::setAttempts);
    m.durationMs("delay", b::setDelayMs);
    m.string("mode", b::setMode);
    m.durationMs("interval", b::setIntervalMs);
    return b.build();
  }

  private static UpdatePolicy update(SpecMap m) {
    m.allowOnly(UPDATE);
    var b = UpdatePolicy.newBuilder()
        .setMaxParallel(DEFAULT_MAX_PARALLEL)
        .setMinHealthyTimeMs(DEFAULT_MIN_HEALTHY_TIME_MS)
        .setHealthyDeadlineMs(DEFAULT_HEALTHY_DEADLINE_MS)
        .setOrder(DEFAULT_ORDER)
        .setProgressDeadlineMs(DEFAULT_PROGRESS_DEADLINE_MS)
        .setHealthCheck(DEFAULT_HEALTH_CHECK);
    m.integer("max_parallel", b::setMaxParallel);
    m.durationMs("min_healthy_time", b::setMinHealthyTimeMs);
    m.durationMs("healthy_deadline", b::setHealthyDeadlineMs);
    m.bool("auto_revert", b::setAutoRevert);
    m.string("order", b::setOrder);
    m.durationMs("progress_deadline", b::setProgressDeadlineMs);
    m.integer("canary", b::setCanary);
    m.bool("auto_promote", b::setAutoPromote);
    m.string("health_check", b::setHealthCheck);
    // Set only when given: the validator refuses it outside system jobs, the scheduler uses
    // 30s for a system group that gives none (RollingUpdate).
    m.durationMs("stagger", b::setStaggerMs);
    return b.build();
  }

  /**
   * Threshold defaults are filled only when no target is given: a target and thresholds are two
   * different policies, and the validator can then tell a user who wrote both.
   */
  private static ScalingPolicy scaling(SpecMap m) {
    m.allowOnly(SCALING);
    var b = ScalingPolicy.newBuilder()
        .setWindowMs(DEFAULT_WINDOW_MS)
        .setCooldownMs(DEFAULT_COOLDOWN_MS)
        .setScaleInStabilizationMs(DEFAULT_SCALE_IN_STABILIZATION_MS);
    m.integer("min", b::setMin);
    m.integer("max", b::setMax);
    m.integer("target_cpu", b::setTargetCpu);
    m.integer("target_memory", b::setTargetMemory);
    if (b.getTargetCpu() == 0 && b.getTargetMemory() == 0) {
      b.setScaleOutAbove(DEFAULT_SCALE_OUT_ABOVE).setScaleInBelow(DEFAULT_SCALE_IN_BELOW);
    }
    m.integer("scale_out_above", b::setScaleOutAbove);
    m.integer("scale_in_below", b::setScaleInBelow);
    m.integer("step_percent", b::setStepPercent);
    if (b.getStepPercent() == 0) b.setStep(DEFAULT_STEP);
    m.integer("step", b::setStep);
    m.durationMs("window", b::setWindowMs);
    m.durationMs("cooldown", b::setCooldownMs);
    // Optional: unset means `cooldown` at decision time, so changing cooldown moves both.
    m.durationMs("scale_out_cooldown", b::setScaleOutCooldownMs);
    m.durationMs("scale_in_cooldown", b::setScaleInCooldownMs);
    m.durationMs("scale_in_stabilization", b::setScaleInStabilizationMs);
    m.integer("max_step", b::setMaxStep);
    return b.build();
  }

  private static String reason(IOException e) {
    return e instanceof java.nio.file.NoSuchFileException ? "no such file" : String.valueOf(e.getMessage());
  }
}
