package gantry.spec;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.CheckSpec;
import gantry.v1.Constraint;
import gantry.v1.GroupSpec;
import gantry.v1.JobSpec;
import gantry.v1.PortSpec;
import gantry.v1.Resources;
import gantry.v1.TaskSpec;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class JobSpecValidatorTest {
  static JobSpec valid() {
    return JobSpec.newBuilder().setName("web").setType("service").setPriority(50)
        .addGroups(GroupSpec.newBuilder().setName("frontend").setCount(3).setPlacement("binpack")
            .addTasks(TaskSpec.newBuilder().setName("httpd").setDriver("docker").setImage("local/busybox:1")
                .setResources(Resources.newBuilder().setCpu(250).setMemory(64))
                .addPorts(PortSpec.newBuilder().setName("http").setTo(8080))
                .setCheck(CheckSpec.newBuilder().setType("http").setPort("http").setPath("/"))))
        .build();
  }

  static String error(UnaryOperator<JobSpec.Builder> edit) {
    var e = assertThrows(InvalidSpecException.class, () -> JobSpecValidator.validate(edit.apply(valid().toBuilder()).build()));
    return e.getMessage();
  }

  static void assertNames(String message, String field, String reason) {
    assertTrue(message.contains(field + ": ") && message.contains(reason), () -> "got: " + message);
  }

  @Test
  void aGoodSpecPasses() {
    assertDoesNotThrow(() -> JobSpecValidator.validate(valid()));
  }

  @Test
  void missingNameIsNamed() {
    assertNames(error(b -> b.setName("")), "job", "is required");
    assertNames(error(b -> b.setName("has space")), "job", "must be 1-128 letters");
  }

  @Test
  void negativeCountIsNamed() {
    assertNames(error(b -> { b.getGroupsBuilder(0).setCount(-1); return b; }), "groups[0].count", "got -1");
  }

  @Test
  void anUpdatePolicyNeedsAHealthyDeadlineLongerThanItsMinHealthyTime() {
    assertNames(error(b -> { b.getGroupsBuilder(0).getUpdateBuilder().setMaxParallel(1).setMinHealthyTimeMs(10_000); return b; }),
        "groups[0].update.healthy_deadline", "must be longer than update.min_healthy_time (10000 ms), got 0 ms");
    assertNames(error(b -> { b.getGroupsBuilder(0).getUpdateBuilder().setMaxParallel(-1).setHealthyDeadlineMs(1); return b; }),
        "groups[0].update.max_parallel", "must not be negative");
    assertNames(error(b -> { b.getGroupsBuilder(0).getUpdateBuilder().setHealthyDeadlineMs(1).setOrder("sideways"); return b; }),
        "groups[0].update.order", "sideways");
  }

  @Test
  void canariesDeadlinesHealthAndStaggerAreChecked() {
    java.util.function.UnaryOperator<gantry.v1.UpdatePolicy.Builder> base =
        u -> u.setMaxParallel(1).setMinHealthyTimeMs(1_000).setHealthyDeadlineMs(60_000);
    assertNames(error(b -> { base.apply(b.getGroupsBuilder(0).getUpdateBuilder()).setProgressDeadlineMs(30_000); return b; }),
        "groups[0].update.progress_deadline", "must be longer than update.healthy_deadline (60000 ms), got 30000 ms");
    assertNames(error(b -> { b.getGroupsBuilder(0).setCount(2); base.apply(b.getGroupsBuilder(0).getUpdateBuilder()).setCanary(3); return b; }),
        "groups[0].update.canary", "must be at most the group's count (2), got 3");
    assertNames(error(b -> { base.apply(b.getGroupsBuilder(0).getUpdateBuilder()).setAutoPromote(true); return b; }),
        "groups[0].update.auto_promote", "needs update.canary above 0");
    assertNames(error(b -> { base.apply(b.getGroupsBuilder(0).getUpdateBuilder()).setHealthCheck("vibes"); return b; }),
        "groups[0].update.health_check", "vibes");
    assertNames(error(b -> { base.apply(b.getGroupsBuilder(0).getUpdateBuilder()).setStaggerMs(30_000); return b; }),
        "groups[0].update.stagger", "applies to system jobs only");
    assertNames(error(b -> { b.setType("system"); base.apply(b.getGroupsBuilder(0).getUpdateBuilder()).setCanary(1); return b; }),
        "groups[0].update.canary", "system jobs have no canaries");
    assertDoesNotThrow(() -> JobSpecValidator.validate(valid().toBuilder().setType("system").setGroups(0, valid().getGroups(0)
        .toBuilder().setUpdate(base.apply(gantry.v1.UpdatePolicy.newBuilder()).setStaggerMs(10_000))).build()));
  }

  @Test
  void unknownDriverIsNamed() {
    assertNames(error(b -> { b.getGroupsBuilder(0).getTasksBuilder(0).setDriver("qemu"); return b; }),
        "groups[0].tasks[0].driver", "unknown driver \"qemu\"");
  }

  @Test
  void otherRules() {
    assertNames(error(b -> b.setType("cron")), "type", "must be one of batch, service, system");
    assertNames(error(b -> b.setPriority(101)), "priority", "1..100");
    assertNames(error(b -> b.clearGroups()), "groups", "at least one group");
    assertNames(error(b -> b.addGroups(b.getGroups(0))), "groups[1].name", "used by another group");
    assertNames(error(b -> { b.getGroupsBuilder(0).getTasksBuilder(0).setImage(""); return b; }),
        "groups[0].tasks[0].image", "required for the docker driver");
    assertNames(error(b -> { b.getGroupsBuilder(0).getTasksBuilder(0).getResourcesBuilder().setMemory(-5); return b; }),
        "groups[0].tasks[0].resources.memory", "must be at least 1 MiB, got -5");
    assertNames(error(b -> { b.getGroupsBuilder(0).getTasksBuilder(0).getCheckBuilder().setPort("admin"); return b; }),
        "groups[0].tasks[0].check.port", "must name one of the task's ports");
    assertNames(error(b -> b.addConstraints(Constraint.newBuilder().setAttribute("label.disk").setOperator("~").setValue("x"))),
        "constraints[0].operator", "unknown operator");
    assertNames(error(b -> b.addConstraints(Constraint.newBuilder().setAttribute("node.name").setOperator("regexp").setValue("("))),
        "constraints[0].value", "not a valid regular expression");
  }

  @Test
  void everyViolationIsReportedAtOnce() {
    var e = assertThrows(InvalidSpecException.class, () -> JobSpecValidator.validate(
        valid().toBuilder().setName("").setPriority(-1).build()));
    assertTrue(e.violations().size() == 2, e::getMessage);
  }

  @Test
  void oversizedSpecIsRefused() {
    String big = "x".repeat(JobSpecValidator.MAX_SPEC_BYTES + 1);
    assertNames(error(b -> b.putMeta("blob", big)), "spec", "the limit is 512 KiB");
  }
}
