package gantry.spec;

import static gantry.spec.JobSpecValidatorTest.assertNames;
import static gantry.spec.JobSpecValidatorTest.error;
import static gantry.spec.JobSpecValidatorTest.valid;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.GroupSpec;
import gantry.v1.JobSpec;
import gantry.v1.ScalingPolicy;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/** The bounds of {@link Limits} that the validator enforces: resources, groups and replicas. */
class SpecLimitsTest {
  /** The valid job with {@code groups} copies of its group, each of {@code count} replicas. */
  static JobSpec withGroups(int groups, int count) {
    var b = valid().toBuilder().clearGroups();
    GroupSpec g = valid().getGroups(0);
    for (int i = 0; i < groups; i++) b.addGroups(g.toBuilder().setName("g" + i).setCount(count));
    return b.build();
  }

  static Stream<Arguments> resources() {
    return Stream.of(
        Arguments.of(0L, 64L, "groups[0].tasks[0].resources.cpu", "must be at least 1 millicore, got 0"),
        Arguments.of(-250L, 64L, "groups[0].tasks[0].resources.cpu", "must be at least 1 millicore, got -250"),
        Arguments.of(250L, 0L, "groups[0].tasks[0].resources.memory", "must be at least 1 MiB, got 0"),
        Arguments.of(250L, -1L, "groups[0].tasks[0].resources.memory", "must be at least 1 MiB, got -1"));
  }

  @ParameterizedTest
  @MethodSource
  void resources(long cpu, long memory, String field, String reason) {
    assertNames(error(b -> {
      b.getGroupsBuilder(0).getTasksBuilder(0).getResourcesBuilder().setCpu(cpu).setMemory(memory);
      return b;
    }), field, reason);
  }

  @Test
  void zeroCpuAndMemoryAreBothNamed() {
    var e = assertThrows(InvalidSpecException.class, () -> JobSpecValidator.validate(valid().toBuilder()
        .setGroups(0, valid().getGroups(0).toBuilder().setTasks(0, valid().getGroups(0).getTasks(0).toBuilder()
            .setResources(gantry.v1.Resources.getDefaultInstance())))
        .build()));
    // What `resources: {cpu: 0, memory: 0}` becomes: a resources message that is present but empty.
    assertEquals(2, e.violations().size(), e::getMessage);
    assertNames(e.getMessage(), "groups[0].tasks[0].resources.cpu", "must be at least 1 millicore, got 0");
    assertNames(e.getMessage(), "groups[0].tasks[0].resources.memory", "must be at least 1 MiB, got 0");
  }

  @Test
  void resourcesAreRequired() {
    assertNames(error(b -> { b.getGroupsBuilder(0).getTasksBuilder(0).clearResources(); return b; }),
        "groups[0].tasks[0].resources", "is required");
  }

  static Stream<Arguments> replicas() {
    return Stream.of(
        // groups, count each, the violation or null when accepted
        Arguments.of(1, 10_000, null),
        Arguments.of(1, 10_001, "groups[0].count: must be within 0..10000, got 10001"),
        Arguments.of(2, 5_000, null),
        Arguments.of(2, 6_000, "groups: the groups' counts add up to 12000 replicas; a job may have at most 10000 in total"),
        Arguments.of(100, 100, null),
        Arguments.of(101, 1, "groups: a job may have at most 100 groups, got 101"),
        Arguments.of(40, 100_000, "groups: the groups' counts add up to 4000000 replicas; a job may have at most 10000"));
  }

  @ParameterizedTest
  @MethodSource
  void replicas(int groups, int count, String violation) {
    JobSpec spec = withGroups(groups, count);
    if (violation == null) {
      assertDoesNotThrow(() -> JobSpecValidator.validate(spec));
      return;
    }
    var e = assertThrows(InvalidSpecException.class, () -> JobSpecValidator.validate(spec));
    assertTrue(e.violations().stream().anyMatch(v -> v.startsWith(violation)), () -> "got: " + e.getMessage());
  }

  @Test
  void fortyGroupsOfAHundredThousandIsOneReadableLine() {
    var e = assertThrows(InvalidSpecException.class, () -> JobSpecValidator.validate(withGroups(40, 100_000)));
    assertEquals(41, e.violations().size(), "the total and each group's count");
    assertTrue(e.getMessage().startsWith("groups: the groups' counts add up to 4000000 replicas"), e.getMessage());
    assertTrue(e.getMessage().endsWith("; and 31 more"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"));
  }

  @Test
  void anAbsentCountIsOneReplica() {
    var b = withGroups(2, 5_000).toBuilder();
    b.addGroups(valid().getGroups(0).toBuilder().setName("extra").clearCount());
    assertNames(assertThrows(InvalidSpecException.class, () -> JobSpecValidator.validate(b.build())).getMessage(),
        "groups", "add up to 10001 replicas");
  }

  @Test
  void aSystemJobsCountsAreNotReplicas() {
    JobSpec system = withGroups(2, 6_000).toBuilder().setType("system").build();
    assertDoesNotThrow(() -> JobSpecValidator.validate(system));
  }

  @Test
  void scalingMaxIsBoundLikeTheCount() {
    assertNames(error(b -> {
      b.getGroupsBuilder(0).setScaling(ScalingPolicy.newBuilder().setMin(1).setMax(10_001).setTargetCpu(60));
      return b;
    }), "groups[0].scaling.max", "must be at most 10000");
  }
}
