package gantry.spec;

import gantry.v1.Affinity;
import gantry.v1.CheckSpec;
import gantry.v1.Constraint;
import gantry.v1.GroupSpec;
import gantry.v1.JobSpec;
import gantry.v1.PortSpec;
import gantry.v1.ScalingPolicy;
import gantry.v1.ServiceSpec;
import gantry.v1.SpreadSpec;
import gantry.v1.TaskSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The rules a job spec must meet before anything is written. Every violation names the
 * field by its path in the spec ({@code groups[0].tasks[1].driver}) and says why. The bounds
 * are in {@link Limits}.
 */
public final class JobSpecValidator {
  /** Largest accepted spec, serialized; larger ones would bloat every Raft entry carrying them. */
  public static final int MAX_SPEC_BYTES = Limits.MAX_SPEC_BYTES;
  public static final int MAX_COUNT = Limits.MAX_COUNT_PER_GROUP;

  static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
  static final Set<String> TYPES = Set.of("service", "batch", "system");
  static final Set<String> DRIVERS = Set.of("docker", "exec");
  static final Set<String> PLACEMENTS = Set.of("binpack", "spread");
  static final Set<String> OPERATORS = Set.of("=", "!=", "regexp", "version", "set_contains", "distinct_hosts");
  static final Set<String> RESTART_MODES = Set.of("fail", "delay");
  static final Set<String> UPDATE_ORDERS = Set.of("start_first", "stop_first");
  static final Set<String> HEALTH_CHECKS = Set.of("checks", "task_states");
  static final Set<String> CHECK_TYPES = Set.of("http", "tcp", "exec");
  /** A DNS label (RFC 1123), so a service name works in gantry:///NAME and in DNS. */
  static final Pattern SERVICE_NAME = Pattern.compile("[a-z]([a-z0-9-]{0,61}[a-z0-9])?");
  /** Scaling percentages: of a reservation, which use may exceed (CPU is not capped at it). */
  static final int MAX_PERCENT = 1_000;
  static final long MAX_WINDOW_MS = 10 * 60_000;
  static final long MAX_COOLDOWN_MS = 60 * 60_000;

  private final List<String> errors = new ArrayList<>();

  private JobSpecValidator() {}

  /** @throws InvalidSpecException listing every violation */
  public static void validate(JobSpec spec) {
    JobSpecValidator v = new JobSpecValidator();
    v.job(spec);
    if (!v.errors.isEmpty()) throw new InvalidSpecException(v.errors);
  }

  private void job(JobSpec spec) {
    int size = spec.getSerializedSize();
    if (size > MAX_SPEC_BYTES) {
      fail("spec", "is " + size / 1024 + " KiB; the limit is " + MAX_SPEC_BYTES / 1024 + " KiB");
      return;
    }
    errors.addAll(UnknownFields.in(spec));
    name("job", spec.getName());
    oneOf("type", spec.getType(), TYPES);
    if (spec.getPriority() < 0 || spec.getPriority() > 100) {
      fail("priority", "must be within 1..100, got " + spec.getPriority());
    }
    constraints("constraints", spec.getConstraintsList());
    affinities("affinities", spec.getAffinitiesList());
    if (spec.getGroupsCount() == 0) fail("groups", "a job needs at least one group");
    if (spec.getGroupsCount() > Limits.MAX_GROUPS_PER_JOB) {
      fail("groups", "a job may have at most " + Limits.MAX_GROUPS_PER_JOB + " groups, got " + spec.getGroupsCount());
    }
    replicas(spec);
    Set<String> names = new HashSet<>();
    for (int i = 0; i < spec.getGroupsCount(); i++) {
      GroupSpec g = spec.getGroups(i);
      String at = "groups[" + i + "]";
      if (name(at + ".name", g.getName()) && !names.add(g.getName())) {
        fail(at + ".name", "\"" + g.getName() + "\" is used by another group");
      }
      group(at, g, spec.getType());
      update(at + ".update", g, spec.getType());
    }
  }

  /** One evaluation places every replica of a job, so their sum is bounded, not just each group's count. */
  private void replicas(JobSpec spec) {
    if (spec.getType().equals("system")) return; // counts are ignored: one allocation per eligible node
    long total = 0;
    for (GroupSpec g : spec.getGroupsList()) total += g.hasCount() ? Math.max(0, g.getCount()) : 1;
    if (total > Limits.MAX_REPLICAS_PER_JOB) {
      fail("groups", "the groups' counts add up to " + total + " replicas; a job may have at most "
          + Limits.MAX_REPLICAS_PER_JOB + " in total");
    }
  }

  /** A group's update policy: {@code at} is "groups[i].update". */
  private void update(String at, GroupSpec g, String type) {
    if (!g.hasUpdate()) return;
    var u = g.getUpdate();
    if (u.getMaxParallel() < 0) fail(at + ".max_parallel", "must not be negative");
    if (u.getMinHealthyTimeMs() < 0) fail(at + ".min_healthy_time", "must not be negative");
    if (!u.getOrder().isEmpty()) oneOf(at + ".order", u.getOrder(), UPDATE_ORDERS);
    if (!u.getHealthCheck().isEmpty()) oneOf(at + ".health_check", u.getHealthCheck(), HEALTH_CHECKS);
    if (u.getHealthyDeadlineMs() <= u.getMinHealthyTimeMs()) {
      fail(at + ".healthy_deadline", "must be longer than update.min_healthy_time ("
          + u.getMinHealthyTimeMs() + " ms), got " + u.getHealthyDeadlineMs() + " ms");
    }
    if (u.getProgressDeadlineMs() < 0) fail(at + ".progress_deadline", "must not be negative (0 means none)");
    if (u.getProgressDeadlineMs() > 0 && u.getProgressDeadlineMs() <= u.getHealthyDeadlineMs()) {
      fail(at + ".progress_deadline", "must be longer than update.healthy_deadline ("
          + u.getHealthyDeadlineMs() + " ms), got " + u.getProgressDeadlineMs() + " ms (0 means none)");
    }
    int count = g.hasCount() ? g.getCount() : 1;
    if (u.getCanary() < 0) fail(at + ".canary", "must not be negative");
    if (u.getCanary() > 0 && type.equals("system")) {
      fail(at + ".canary", "system jobs have no canaries (they update node by node: use max_parallel and stagger)");
    } else if (u.getCanary() > count) {
      fail(at + ".canary", "must be at most the group's count (" + count + "), got " + u.getCanary());
    }
    if (u.getAutoPromote() && u.getCanary() == 0) fail(at + ".auto_promote", "needs update.canary above 0");
    if (u.hasStaggerMs() && !type.equals("system")) {
      fail(at + ".stagger", "applies to system jobs only; a " + type + " job rolls on by health (max_parallel)");
    }
    if (u.hasStaggerMs() && u.getStaggerMs() < 0) fail(at + ".stagger", "must not be negative");
  }

  private void group(String at, GroupSpec g, String type) {
    if (g.hasCount() && (g.getCount() < 0 || g.getCount() > MAX_COUNT)) {
      fail(at + ".count", "must be within 0.." + MAX_COUNT + ", got " + g.getCount());
    }
    oneOf(at + ".placement", g.getPlacement(), PLACEMENTS);
    constraints(at + ".constraints", g.getConstraintsList());
    affinities(at + ".affinities", g.getAffinitiesList());
    for (int i = 0; i < g.getSpreadCount(); i++) spread(at + ".spread[" + i + "]", g.getSpread(i));
    if (g.hasRestart()) {
      if (g.getRestart().getAttempts() < 0) fail(at + ".restart.attempts", "must not be negative");
      if (g.getRestart().getDelayMs() < 0) fail(at + ".restart.delay", "must not be negative");
      oneOf(at + ".restart.mode", g.getRestart().getMode(), RESTART_MODES);
    }
    if (g.hasDisconnect() && g.getDisconnect().getStopAfterMs() < 0) {
      fail(at + ".disconnect.stop_after", "must not be negative");
    }
    if (g.hasScaling()) scaling(at, g, type);
    if (g.getTasksCount() == 0) fail(at + ".tasks", "a group needs at least one task");
    Set<String> names = new HashSet<>();
    for (int i = 0; i < g.getTasksCount(); i++) {
      TaskSpec t = g.getTasks(i);
      String tat = at + ".tasks[" + i + "]";
      if (name(tat + ".name", t.getName()) && !names.add(t.getName())) {
        fail(tat + ".name", "\"" + t.getName() + "\" is used by another task of the group");
      }
      task(tat, t);
    }
  }

  /** A group's autoscaling policy: {@code at} is "groups[i]". */
  private void scaling(String group, GroupSpec g, String type) {
    String at = group + ".scaling";
    if (type.equals("system")) {
      fail(at, "system jobs run one allocation per eligible node and have no count to scale; remove the block");
      return;
    }
    if (type.equals("batch")) {
      fail(at, "batch jobs run to completion: their count is the work to do, and an allocation added for load"
          + " would run the work again; remove the block");
      return;
    }
    ScalingPolicy s = g.getScaling();
    if (s.getMin() < 0) fail(at + ".min", "must not be negative, got " + s.getMin());
    if (s.getMax() < 1) {
      fail(at + ".max", "is required: at least 1, got " + s.getMax());
    } else if (s.getMax() < s.getMin()) {
      fail(at + ".max", "must be at least scaling.min (" + s.getMin() + "), got " + s.getMax());
    } else if (s.getMax() > MAX_COUNT) {
      fail(at + ".max", "must be at most " + MAX_COUNT + ", got " + s.getMax());
    }
    if (g.hasCount() && s.getMin() <= s.getMax() && (g.getCount() < s.getMin() || g.getCount() > s.getMax())) {
      fail(group + ".count", "must lie within scaling.min..scaling.max (" + s.getMin() + ".." + s.getMax() + "), got "
          + g.getCount());
    }
    // Use may exceed the reservation (CPU is shared, not capped at it): up to ten times is meaningful.
    percent(at + ".target_cpu", s.getTargetCpu(), true, "of the reserved CPU");
    percent(at + ".target_memory", s.getTargetMemory(), true, "of the reserved memory");
    String target = s.getTargetCpu() != 0 ? "target_cpu" : s.getTargetMemory() != 0 ? "target_memory" : null;
    if (target != null) {
      for (var given : List.of(Map.entry("scale_out_above", s.getScaleOutAbove()), Map.entry("scale_in_below", s.getScaleInBelow()))) {
        if (given.getValue() != 0) {
          fail(at + "." + given.getKey(), "cannot be combined with scaling." + target + ": thresholds and target"
              + " tracking are two policies; keep one");
        }
      }
    } else {
      percent(at + ".scale_out_above", s.getScaleOutAbove(), false, "of the reserved CPU");
      percent(at + ".scale_in_below", s.getScaleInBelow(), false, "of the reserved CPU");
      if (s.getScaleInBelow() >= s.getScaleOutAbove() && s.getScaleOutAbove() > 0) {
        fail(at + ".scale_in_below", "must be below scaling.scale_out_above (" + s.getScaleOutAbove() + "), got "
            + s.getScaleInBelow());
      }
    }
    if (s.getStep() < 0) fail(at + ".step", "must be at least 1, got " + s.getStep());
    if (s.getStepPercent() < 0 || s.getStepPercent() > 100) {
      fail(at + ".step_percent", "must be a percentage of the current count within 1..100, got " + s.getStepPercent());
    }
    if (s.getStep() > 0 && s.getStepPercent() > 0) {
      fail(at + ".step_percent", "cannot be combined with scaling.step: give one step size");
    } else if (target == null && s.getStep() == 0 && s.getStepPercent() == 0) {
      fail(at + ".step", "must be at least 1 (or give step_percent), got 0");
    }
    if (s.getWindowMs() < 1_000 || s.getWindowMs() > MAX_WINDOW_MS) {
      fail(at + ".window", "must be within 1s..10m (agents report every 5s), got " + s.getWindowMs() + " ms");
    }
    upToAnHour(at + ".cooldown", s.getCooldownMs());
    if (s.hasScaleOutCooldownMs()) upToAnHour(at + ".scale_out_cooldown", s.getScaleOutCooldownMs());
    if (s.hasScaleInCooldownMs()) upToAnHour(at + ".scale_in_cooldown", s.getScaleInCooldownMs());
    upToAnHour(at + ".scale_in_stabilization", s.getScaleInStabilizationMs());
    if (s.getMaxStep() < 0) fail(at + ".max_step", "must not be negative (0 means no bound), got " + s.getMaxStep());
  }

  private void percent(String at, int value, boolean optional, String of) {
    if (optional && value == 0) return;
    if (value < 1 || value > MAX_PERCENT) {
      String why = of.endsWith("CPU") ? " (above 100 is allowed: CPU is not capped at the reservation)" : "";
      fail(at, "must be a percentage " + of + " within 1.." + MAX_PERCENT + why + ", got " + value);
    }
  }

  private void upToAnHour(String at, long ms) {
    if (ms < 0 || ms > MAX_COOLDOWN_MS) fail(at, "must be within 0..1h, got " + ms + " ms");
  }

  /** A task's service: {@code at} is "groups[i].tasks[j].service"; {@code ports} the task's port names. */
  private void service(String at, ServiceSpec s, Set<String> ports) {
    if (s.getName().isEmpty()) {
      fail(at + ".name", "is required");
    } else if (!SERVICE_NAME.matcher(s.getName()).matches()) {
      fail(at + ".name", "\"" + s.getName() + "\" must be 1-63 lowercase letters, digits or '-', starting with a letter"
          + " and not ending with '-' (it is a DNS label: gantry:///NAME)");
    }
    if (!ports.contains(s.getPort())) {
      fail(at + ".port", "must name one of the task's ports " + sorted(ports) + ", got \"" + s.getPort() + "\"");
    }
    for (int i = 0; i < s.getTagsCount(); i++) {
      if (s.getTags(i).isBlank()) fail(at + ".tags[" + i + "]", "must not be empty");
    }
    if (s.getWeight() < 0) fail(at + ".weight", "must be a positive whole number or headroom, got " + s.getWeight());
    if (s.getWeight() > 0 && s.getHeadroom()) {
      fail(at + ".weight", "is either a number or headroom, not both (got " + s.getWeight() + " and headroom)");
    }
  }

  private void task(String at, TaskSpec t) {
    if (t.getDriver().isEmpty()) {
      fail(at + ".driver", "is required (one of " + sorted(DRIVERS) + ")");
    } else if (!DRIVERS.contains(t.getDriver())) {
      fail(at + ".driver", "unknown driver \"" + t.getDriver() + "\" (known: " + sorted(DRIVERS) + ")");
    }
    if ("docker".equals(t.getDriver()) && t.getImage().isBlank()) fail(at + ".image", "is required for the docker driver");
    if ("exec".equals(t.getDriver()) && t.getCommandCount() == 0) fail(at + ".command", "is required for the exec driver");
    resources(at, t);
    workingDir(at, t);
    Set<String> ports = new HashSet<>();
    for (int i = 0; i < t.getPortsCount(); i++) {
      PortSpec p = t.getPorts(i);
      String pat = at + ".ports[" + i + "]";
      if (name(pat + ".name", p.getName()) && !ports.add(p.getName())) fail(pat + ".name", "\"" + p.getName() + "\" is used twice");
      if (p.getTo() < 0 || p.getTo() > 65535) fail(pat + ".to", "must be a port within 1..65535, got " + p.getTo());
      if (p.getStatic() < 0 || p.getStatic() > 65535) fail(pat + ".static", "must be a port within 1..65535, got " + p.getStatic());
    }
    if (t.hasCheck()) check(at + ".check", t.getCheck(), ports);
    if (t.hasService()) service(at + ".service", t.getService(), ports);
  }

  // The scheduler reserves what a task asks for; an ask of nothing fits every node without bound.
  private void resources(String at, TaskSpec t) {
    if (!t.hasResources()) {
      fail(at + ".resources", "is required: cpu (millicores) and memory (MiB), each at least 1");
      return;
    }
    long cpu = t.getResources().getCpu();
    long memory = t.getResources().getMemory();
    if (cpu <= 0) fail(at + ".resources.cpu", "must be at least 1 millicore, got " + cpu);
    if (memory <= 0) fail(at + ".resources.memory", "must be at least 1 MiB, got " + memory);
  }

  private void workingDir(String at, TaskSpec t) {
    String dir = t.getWorkingDir();
    if (dir.isEmpty()) return;
    String field = at + ".working_dir";
    if (dir.indexOf('\0') >= 0) {
      fail(field, "must not contain a NUL character");
    } else if ("exec".equals(t.getDriver()) && dir.startsWith("/")) {
      fail(field, "must be relative to the task directory for the exec driver, got \"" + dir + "\"");
    } else if ("exec".equals(t.getDriver()) && leavesTaskDirectory(dir)) {
      fail(field, "must stay inside the task directory, got \"" + dir + "\"");
    } else if ("docker".equals(t.getDriver()) && !dir.startsWith("/")) {
      fail(field, "must be an absolute path inside the container for the docker driver, got \"" + dir + "\"");
    }
  }

  /** Whether a relative path climbs above its start with "..", as "a/../../b" does. */
  static boolean leavesTaskDirectory(String relative) {
    int depth = 0;
    for (String part : relative.split("/")) {
      if (part.equals("..")) depth--;
      else if (!part.isEmpty() && !part.equals(".")) depth++;
      if (depth < 0) return true;
    }
    return false;
  }

  private void check(String at, CheckSpec c, Set<String> ports) {
    if (!CHECK_TYPES.contains(c.getType())) fail(at + ".type", "must be one of " + sorted(CHECK_TYPES) + ", got \"" + c.getType() + "\"");
    if ((c.getType().equals("http") || c.getType().equals("tcp")) && !ports.contains(c.getPort())) {
      fail(at + ".port", "must name one of the task's ports " + sorted(ports) + ", got \"" + c.getPort() + "\"");
    }
    if (c.getType().equals("exec") && c.getCommandCount() == 0) fail(at + ".command", "is required for an exec check");
    if (c.getIntervalMs() < 0) fail(at + ".interval", "must not be negative");
    if (c.getTimeoutMs() < 0) fail(at + ".timeout", "must not be negative");
  }

  private void constraints(String at, List<Constraint> list) {
    for (int i = 0; i < list.size(); i++) {
      Constraint c = list.get(i);
      String cat = at + "[" + i + "]";
      if (!OPERATORS.contains(c.getOperator())) {
        fail(cat + ".operator", "unknown operator \"" + c.getOperator() + "\" (known: " + sorted(OPERATORS) + ")");
        continue;
      }
      if (!c.getOperator().equals("distinct_hosts") && c.getAttribute().isBlank()) fail(cat + ".attribute", "is required");
      regexp(cat, c.getOperator(), c.getValue());
    }
  }

  private void affinities(String at, List<Affinity> list) {
    for (int i = 0; i < list.size(); i++) {
      Affinity a = list.get(i);
      String aat = at + "[" + i + "]";
      if (a.getAttribute().isBlank()) fail(aat + ".attribute", "is required");
      if (!OPERATORS.contains(a.getOperator()) || a.getOperator().equals("distinct_hosts")) {
        fail(aat + ".operator", "unknown operator \"" + a.getOperator() + "\"");
      }
      if (a.getWeight() < -100 || a.getWeight() > 100 || a.getWeight() == 0) {
        fail(aat + ".weight", "must be within -100..100 and not 0, got " + a.getWeight());
      }
      regexp(aat, a.getOperator(), a.getValue());
    }
  }

  private void spread(String at, SpreadSpec s) {
    if (s.getAttribute().isBlank()) fail(at + ".attribute", "is required");
    int total = 0;
    for (int i = 0; i < s.getTargetsCount(); i++) {
      int pct = s.getTargets(i).getPercent();
      if (pct < 0 || pct > 100) fail(at + ".targets[" + i + "].percent", "must be within 0..100, got " + pct);
      total += pct;
    }
    if (total > 100) fail(at + ".targets", "percentages add up to " + total + ", more than 100");
  }

  private void regexp(String at, String operator, String value) {
    if (operator.equals("regexp")) UserRegexps.problem(value).ifPresent(why -> fail(at + ".value", why));
  }

  private boolean name(String at, String name) {
    if (name.isEmpty()) {
      fail(at, "is required");
      return false;
    }
    if (!NAME.matcher(name).matches()) {
      fail(at, "\"" + name + "\" must be 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit");
      return false;
    }
    return true;
  }

  private void oneOf(String at, String value, Set<String> allowed) {
    if (!value.isEmpty() && !allowed.contains(value)) {
      fail(at, "must be one of " + sorted(allowed) + ", got \"" + value + "\"");
    }
  }

  private void fail(String field, String reason) {
    errors.add(field + ": " + reason);
  }

  private static String sorted(Set<String> s) {
    return String.join(", ", s.stream().sorted().toList());
  }
}
