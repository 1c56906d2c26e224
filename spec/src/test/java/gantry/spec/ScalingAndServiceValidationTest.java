package gantry.spec;

import static gantry.spec.JobSpecValidatorTest.assertNames;
import static gantry.spec.JobSpecValidatorTest.error;
import static gantry.spec.JobSpecValidatorTest.valid;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;

import gantry.v1.JobSpec;
import gantry.v1.ScalingPolicy;
import gantry.v1.ServiceSpec;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** The rules of a group's {@code scaling:} block and a task's {@code service:} block. */
class ScalingAndServiceValidationTest {
  /** What the parser makes of {@code scaling: {min: 1, max: 5}}: the defaults filled in. */
  static ScalingPolicy.Builder parsed(String scalingYaml) {
    return JobSpecParser.parse("groups: [{scaling: " + scalingYaml + "}]").getGroups(0).getScaling().toBuilder();
  }

  static String scalingError(String scalingYaml) {
    return error(b -> { b.getGroupsBuilder(0).setScaling(parsed(scalingYaml)); return b; });
  }

  static String scalingError(UnaryOperator<ScalingPolicy.Builder> edit) {
    return error(b -> { b.getGroupsBuilder(0).setScaling(edit.apply(parsed("{min: 1, max: 5}"))); return b; });
  }

  static void passes(String scalingYaml) {
    var spec = valid().toBuilder();
    spec.getGroupsBuilder(0).setScaling(parsed(scalingYaml));
    assertDoesNotThrow(() -> JobSpecValidator.validate(spec.build()), scalingYaml);
  }

  static JobSpec withService(UnaryOperator<ServiceSpec.Builder> edit) {
    var spec = valid().toBuilder();
    spec.getGroupsBuilder(0).getTasksBuilder(0).setService(edit.apply(ServiceSpec.newBuilder().setName("web").setPort("http")));
    return spec.build();
  }

  static String serviceError(UnaryOperator<ServiceSpec.Builder> edit) {
    JobSpec spec = withService(edit);
    return error(b -> spec.toBuilder());
  }

  @Test
  void thresholdDefaultsAndATargetPass() {
    passes("{min: 1, max: 5}");
    passes("{min: 0, max: 5}");
    passes("{min: 3, max: 3}");
    passes("{max: 10, target_cpu: 60}");
    passes("{max: 10, target_memory: 75}");
    passes("{min: 1, max: 10, scale_out_above: 150, scale_in_below: 60, step_percent: 50, window: 10m, cooldown: 0s,"
        + " scale_out_cooldown: 1h, scale_in_cooldown: 5m, scale_in_stabilization: 0s, max_step: 2}");
  }

  @Test
  void minAndMaxBoundTheCount() {
    assertNames(scalingError("{min: -1, max: 5}"), "groups[0].scaling.min", "must not be negative, got -1");
    assertNames(scalingError("{min: 1}"), "groups[0].scaling.max", "is required: at least 1, got 0");
    assertNames(scalingError("{min: 6, max: 5}"), "groups[0].scaling.max", "must be at least scaling.min (6), got 5");
    assertNames(scalingError("{min: 1, max: 10001}"), "groups[0].scaling.max", "must be at most 10000, got 10001");
    assertNames(scalingError("{min: 4, max: 5}"), "groups[0].count", "must lie within scaling.min..scaling.max (4..5), got 3");
    assertNames(scalingError("{min: 1, max: 2}"), "groups[0].count", "must lie within scaling.min..scaling.max (1..2), got 3");
  }

  @Test
  void thresholdsArePercentagesInOrder() {
    assertNames(scalingError("{max: 5, scale_out_above: 1001}"), "groups[0].scaling.scale_out_above",
        "must be a percentage of the reserved CPU within 1..1000 (above 100 is allowed: CPU is not capped at the reservation), got 1001");
    assertNames(scalingError("{max: 5, scale_in_below: 0}"), "groups[0].scaling.scale_in_below", "within 1..1000");
    assertNames(scalingError("{max: 5, scale_out_above: 50, scale_in_below: 50}"), "groups[0].scaling.scale_in_below",
        "must be below scaling.scale_out_above (50), got 50");
  }

  @Test
  void targetsArePercentagesAndExcludeThresholds() {
    assertNames(scalingError("{max: 5, target_cpu: 1001}"), "groups[0].scaling.target_cpu", "within 1..1000");
    assertNames(scalingError("{max: 5, target_memory: -5}"), "groups[0].scaling.target_memory",
        "must be a percentage of the reserved memory within 1..1000, got -5");
    String both = scalingError("{max: 5, target_cpu: 60, scale_out_above: 80}");
    assertNames(both, "groups[0].scaling.scale_out_above",
        "cannot be combined with scaling.target_cpu: thresholds and target tracking are two policies; keep one");
    assertNames(scalingError("{max: 5, target_memory: 60, scale_in_below: 20}"), "groups[0].scaling.scale_in_below",
        "cannot be combined with scaling.target_memory");
  }

  @Test
  void oneStepSize() {
    assertNames(scalingError("{max: 5, step: 2, step_percent: 50}"), "groups[0].scaling.step_percent",
        "cannot be combined with scaling.step: give one step size");
    assertNames(scalingError("{max: 5, step: 0}"), "groups[0].scaling.step", "must be at least 1 (or give step_percent), got 0");
    assertNames(scalingError("{max: 5, step: -1}"), "groups[0].scaling.step", "must be at least 1, got -1");
    assertNames(scalingError("{max: 5, step_percent: 101}"), "groups[0].scaling.step_percent", "within 1..100, got 101");
    assertNames(scalingError("{max: 5, max_step: -1}"), "groups[0].scaling.max_step", "must not be negative (0 means no bound)");
  }

  @Test
  void windowCooldownsAndStabilizationAreBounded() {
    assertNames(scalingError("{max: 5, window: 500ms}"), "groups[0].scaling.window", "must be within 1s..10m");
    assertNames(scalingError("{max: 5, window: 11m}"), "groups[0].scaling.window", "got 660000 ms");
    assertNames(scalingError("{max: 5, cooldown: 2h}"), "groups[0].scaling.cooldown", "must be within 0..1h, got 7200000 ms");
    assertNames(scalingError("{max: 5, scale_out_cooldown: 61m}"), "groups[0].scaling.scale_out_cooldown", "0..1h");
    assertNames(scalingError(s -> s.setScaleInCooldownMs(-1)), "groups[0].scaling.scale_in_cooldown", "got -1 ms");
    assertNames(scalingError("{max: 5, scale_in_stabilization: 2h}"), "groups[0].scaling.scale_in_stabilization", "0..1h");
  }

  @Test
  void onlyServiceJobsScale() {
    var policy = parsed("{min: 1, max: 5}");
    assertNames(error(b -> { b.setType("system").getGroupsBuilder(0).setScaling(policy); return b; }),
        "groups[0].scaling", "system jobs run one allocation per eligible node and have no count to scale");
    assertNames(error(b -> { b.setType("batch").getGroupsBuilder(0).setScaling(policy); return b; }),
        "groups[0].scaling", "batch jobs run to completion: their count is the work to do");
  }

  @Test
  void aServiceNamesOneOfItsTasksPorts() {
    assertDoesNotThrow(() -> JobSpecValidator.validate(withService(s -> s)));
    assertDoesNotThrow(() -> JobSpecValidator.validate(withService(s -> s.setName("a").addTags("v1").setWeight(5))));
    assertDoesNotThrow(() -> JobSpecValidator.validate(withService(s -> s.setName("web-2").setHeadroom(true))));
    assertNames(serviceError(s -> s.setPort("admin")), "groups[0].tasks[0].service.port",
        "must name one of the task's ports http, got \"admin\"");
    assertNames(serviceError(s -> s.setPort("")), "groups[0].tasks[0].service.port", "got \"\"");
  }

  @Test
  void aServiceNameIsADnsLabel() {
    assertNames(serviceError(s -> s.setName("")), "groups[0].tasks[0].service.name", "is required");
    for (String bad : new String[] {"Web", "1web", "web_api", "web-", "w".repeat(64)}) {
      assertNames(serviceError(s -> s.setName(bad)), "groups[0].tasks[0].service.name",
          "must be 1-63 lowercase letters, digits or '-', starting with a letter");
    }
    assertDoesNotThrow(() -> JobSpecValidator.validate(withService(s -> s.setName("w".repeat(63)))));
  }

  @Test
  void aServiceWeightIsANumberOrHeadroomAndTagsAreText() {
    assertNames(serviceError(s -> s.setWeight(-1)), "groups[0].tasks[0].service.weight",
        "must be a positive whole number or headroom, got -1");
    assertNames(serviceError(s -> s.setWeight(2).setHeadroom(true)), "groups[0].tasks[0].service.weight",
        "is either a number or headroom, not both");
    assertNames(serviceError(s -> s.addTags(" ")), "groups[0].tasks[0].service.tags[0]", "must not be empty");
  }
}
