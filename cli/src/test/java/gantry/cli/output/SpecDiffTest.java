package gantry.cli.output;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import gantry.v1.CheckSpec;
import gantry.v1.Constraint;
import gantry.v1.GroupSpec;
import gantry.v1.Job;
import gantry.v1.JobSpec;
import gantry.v1.PortSpec;
import gantry.v1.TaskSpec;
import gantry.v1.UpdatePolicy;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecDiffTest {
  static final JobSpec WEB = JobSpec.newBuilder().setName("web")
      .addGroups(GroupSpec.newBuilder().setName("frontend").setCount(3)
          .addTasks(TaskSpec.newBuilder().setName("httpd").setDriver("docker").setImage("local/busybox:1")
              .addCommand("httpd").addCommand("-f")
              .addPorts(PortSpec.newBuilder().setName("http").setTo(8080))
              .putEnv("GREETING", "hello")))
      .build();

  /** WEB with its only task changed by {@code edit}. */
  static JobSpec withTask(java.util.function.UnaryOperator<TaskSpec.Builder> edit) {
    var group = WEB.getGroups(0);
    return WEB.toBuilder().setGroups(0, group.toBuilder().setTasks(0, edit.apply(group.getTasks(0).toBuilder()))).build();
  }

  @Test
  void equalSpecsHaveNoChanges() {
    assertEquals(List.of(), SpecDiff.of(WEB, WEB.toBuilder().build()));
  }

  @Test
  void aChangedScalarIsNamedByItsPathWithTheOldAndNewValue() {
    assertEquals(List.of("groups[frontend].tasks[httpd].image: local/busybox:1 -> local/nope:1"),
        SpecDiff.of(WEB, withTask(t -> t.setImage("local/nope:1"))));
    assertEquals(List.of("priority: 0 -> 70", "groups[frontend].count: 3 -> 5"),
        SpecDiff.of(WEB, WEB.toBuilder().setPriority(70)
            .setGroups(0, WEB.getGroups(0).toBuilder().setCount(5)).build()));
    assertEquals(List.of("groups[frontend].tasks[httpd].driver: docker -> \"\""),
        SpecDiff.of(WEB, withTask(t -> t.setDriver(""))));
  }

  @Test
  void anOptionalValueLeftOutShowsAsNone() {
    assertEquals(List.of("groups[frontend].count: 3 -> (none)"),
        SpecDiff.of(WEB, WEB.toBuilder().setGroups(0, WEB.getGroups(0).toBuilder().clearCount()).build()));
  }

  @Test
  void namedElementsAreMatchedByNameAndOthersByPosition() {
    JobSpec reordered = WEB.toBuilder()
        .addGroups(GroupSpec.newBuilder().setName("backend").addTasks(TaskSpec.newBuilder().setName("api")))
        .build();
    assertEquals(List.of("groups[backend]: added"), SpecDiff.of(WEB, reordered));
    JobSpec swapped = reordered.toBuilder().clearGroups().addGroups(reordered.getGroups(1)).addGroups(reordered.getGroups(0)).build();
    assertEquals(List.of(), SpecDiff.of(reordered, swapped), "the order of named elements is no change");
    assertEquals(List.of("groups[backend]: removed"), SpecDiff.of(swapped, WEB));

    assertEquals(List.of("groups[frontend].tasks[httpd].ports[http].to: 8080 -> 9090",
            "groups[frontend].tasks[httpd].ports[admin]: added"),
        SpecDiff.of(WEB, withTask(t -> t.setPorts(0, PortSpec.newBuilder().setName("http").setTo(9090))
            .addPorts(PortSpec.newBuilder().setName("admin").setTo(9000)))));

    JobSpec constrained = WEB.toBuilder().addConstraints(Constraint.newBuilder().setAttribute("label.disk").setOperator("=")
        .setValue("ssd")).build();
    assertEquals(List.of("constraints[0]: added"), SpecDiff.of(WEB, constrained));
    assertEquals(List.of("constraints[0].value: ssd -> hdd"),
        SpecDiff.of(constrained, constrained.toBuilder().setConstraints(0, constrained.getConstraints(0).toBuilder().setValue("hdd")).build()));
  }

  @Test
  void scalarListsAreShownWholeAndMapsByKey() {
    assertEquals(List.of("groups[frontend].tasks[httpd].command: [httpd, -f] -> [httpd, -f, -p, 8080]"),
        SpecDiff.of(WEB, withTask(t -> t.addCommand("-p").addCommand("8080"))));
    assertEquals(List.of("groups[frontend].tasks[httpd].env[GREETING]: hello -> bye",
            "groups[frontend].tasks[httpd].env[MODE]: (none) -> fast"),
        SpecDiff.of(WEB, withTask(t -> t.putEnv("GREETING", "bye").putEnv("MODE", "fast"))));
    assertEquals(List.of("groups[frontend].tasks[httpd].env[GREETING]: hello -> (none)"),
        SpecDiff.of(WEB, withTask(t -> t.clearEnv())));
  }

  @Test
  void aNestedMessageSetOnOneSideIsComparedWithItsDefaults() {
    JobSpec rolling = WEB.toBuilder().setGroups(0, WEB.getGroups(0).toBuilder()
        .setUpdate(UpdatePolicy.newBuilder().setMaxParallel(1).setAutoRevert(true))).build();
    assertEquals(List.of("groups[frontend].update.max_parallel: 0 -> 1", "groups[frontend].update.auto_revert: false -> true"),
        SpecDiff.of(WEB, rolling));
    assertEquals(List.of("groups[frontend].tasks[httpd].check: added"),
        SpecDiff.of(WEB, withTask(t -> t.setCheck(CheckSpec.getDefaultInstance()))),
        "a message set to all defaults still changed the spec");
    assertEquals(List.of("groups[frontend].tasks[httpd].check: removed"),
        SpecDiff.of(withTask(t -> t.setCheck(CheckSpec.getDefaultInstance())), WEB));
  }

  @Test
  void onlyMessagesOfOneTypeCompare() {
    assertThrows(IllegalArgumentException.class, () -> SpecDiff.of(WEB, Job.getDefaultInstance()));
  }
}
