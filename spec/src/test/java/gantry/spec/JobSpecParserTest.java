package gantry.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.JobSpec;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class JobSpecParserTest {
  static final Path EXAMPLES = Path.of("..", "examples");

  @TempDir
  Path dir;

  @Test
  void webExampleArrivesInTheProto() {
    JobSpec spec = JobSpecParser.parseFile(EXAMPLES.resolve("web.yaml"));
    assertEquals("web", spec.getName());
    assertEquals("service", spec.getType());
    assertEquals(50, spec.getPriority());
    assertEquals(Map.of("owner", "platform"), spec.getMetaMap());

    var group = spec.getGroups(0);
    assertEquals("frontend", group.getName());
    assertTrue(group.hasCount());
    assertEquals(3, group.getCount());
    assertEquals("spread", group.getPlacement());
    assertEquals(3, group.getRestart().getAttempts());
    assertEquals(2_000, group.getRestart().getDelayMs());
    assertEquals("fail", group.getRestart().getMode());
    assertEquals(300_000, group.getRestart().getIntervalMs());
    assertEquals(30_000, group.getDisconnect().getStopAfterMs());
    assertEquals(1, group.getUpdate().getMaxParallel());
    assertEquals(5_000, group.getUpdate().getMinHealthyTimeMs());
    assertTrue(group.getUpdate().getAutoRevert());
    assertFalse(group.hasScaling(), "the example has a fixed count");

    var task = group.getTasks(0);
    assertEquals("httpd", task.getName());
    assertEquals("docker", task.getDriver());
    assertEquals("local/busybox:1", task.getImage());
    assertEquals(List.of("httpd", "-f", "-p", "8080", "-h", "/www"), task.getCommandList());
    assertEquals(250, task.getResources().getCpu());
    assertEquals(64, task.getResources().getMemory());
    assertEquals("http", task.getPorts(0).getName());
    assertEquals(8080, task.getPorts(0).getTo());
    assertEquals(Map.of("GREETING", "hello"), task.getEnvMap());
    assertEquals("http", task.getCheck().getType());
    assertEquals("http", task.getCheck().getPort());
    assertEquals("/", task.getCheck().getPath());
    assertEquals(2_000, task.getCheck().getIntervalMs());
    assertEquals(1_000, task.getCheck().getTimeoutMs());
  }

  @Test
  void sleepExampleParses() {
    JobSpec spec = JobSpecParser.parseFile(EXAMPLES.resolve("sleep-exec.yaml"));
    assertEquals("exec", spec.getGroups(0).getTasks(0).getDriver());
    assertEquals(List.of("sleep", "3600"), spec.getGroups(0).getTasks(0).getCommandList());
    assertEquals(2, spec.getGroups(0).getCount());
  }

  @Test
  void absentCountStaysAbsentAndServerRulesAreLeftToTheServer() {
    JobSpec spec = JobSpecParser.parse("groups:\n  - name: g\n  - name: h\n    count: -1\n");
    assertEquals("", spec.getName());
    assertFalse(spec.getGroups(0).hasCount());
    assertEquals(-1, spec.getGroups(1).getCount());
  }

  @Test
  void constraintsAffinitiesSpreadAndPorts() {
    JobSpec spec = JobSpecParser.parse("""
        job: j
        constraints: [{attribute: label.disk, operator: "=", value: ssd}]
        affinities: [{attribute: label.zone, operator: "=", value: a, weight: -50}]
        groups:
          - name: g
            spread: [{attribute: label.rack, weight: 100, targets: [{value: r1, percent: 70}]}]
            tasks:
              - name: t
                resources: {memory: 1GiB}
                ports: [{name: admin, to: 9000, static: 19000}]
                check: {type: exec, command: [true]}
        """);
    assertEquals("ssd", spec.getConstraints(0).getValue());
    assertEquals(-50, spec.getAffinities(0).getWeight());
    assertEquals(70, spec.getGroups(0).getSpread(0).getTargets(0).getPercent());
    var task = spec.getGroups(0).getTasks(0);
    assertEquals(1024, task.getResources().getMemory());
    assertEquals(19000, task.getPorts(0).getStatic());
    assertEquals(List.of("true"), task.getCheck().getCommandList());
  }

  @Test
  void memoryUnits() {
    for (var c : Map.of("512", 512L, "512MiB", 512L, "256M", 256L, "1GiB", 1024L, "2G", 2048L).entrySet()) {
      var spec = JobSpecParser.parse("groups: [{tasks: [{resources: {memory: \"" + c.getKey() + "\"}}]}]");
      assertEquals(c.getValue(), spec.getGroups(0).getTasks(0).getResources().getMemory(), c.getKey());
    }
  }

  @Test
  void jsonSpecIsAccepted() {
    JobSpec spec = JobSpecParser.parse("""
        {
        \t"job": "api",
        \t"groups": [{"name": "g", "count": 2, "tasks": [{"name": "t", "resources": {"cpu": 500, "memory": "128MiB"}}]}]
        }
        """);
    assertEquals("api", spec.getName());
    assertEquals(2, spec.getGroups(0).getCount());
    assertEquals(500, spec.getGroups(0).getTasks(0).getResources().getCpu());
    assertEquals(128, spec.getGroups(0).getTasks(0).getResources().getMemory());
  }

  @Test
  void memoryThatIsNotAQuantity() {
    var e = fails("job: w\ngroups:\n  - name: g\n    tasks:\n      - name: t\n        resources: {memory: lots}\n");
    assertEquals("groups[0].tasks[0].resources.memory", e.path());
    assertEquals("groups[0].tasks[0].resources.memory: expected a whole number of MiB (or 512MiB, 1GiB), got \"lots\"", e.getMessage());
  }

  @Test
  void unknownFieldListsTheKnownOnes() {
    var e = fails("job: w\ngroups:\n  - name: g\n    tasks:\n      - name: t\n        resoures: {cpu: 1}\n");
    assertTrue(e.getMessage().startsWith("groups[0].tasks[0].resoures: unknown field (known: name, driver, image, command, resources"), e.getMessage());
    assertTrue(fails("jobb: w\n").getMessage().startsWith("jobb: unknown field (known: job, type,"));
  }

  /** Found by ParserFuzzTest: {@code {''}} was refused as ": unknown field", naming no field. */
  @Test
  void anUnknownKeyThatIsNoPlainWordIsQuotedInThePath() {
    var empty = fails("{''}");
    assertEquals("\"\"", empty.path());
    assertTrue(empty.getMessage().startsWith("\"\": unknown field (known: job, type,"), empty.getMessage());
    assertEquals("groups[0].\"a b\\\"\\u000a\"", fails("job: w\ngroups: [{name: g, \"a b\\\"\\n\": 1}]\n").path());
    assertEquals("\"my-job\"", fails("my-job: w\n").path());
    assertEquals("jobb", fails("jobb: w\n").path());
  }

  /** Found by ParserFuzzTest: SnakeYAML let a NumberFormatException out for a base-60 number too large. */
  @Test
  void aBase60NumberTooLargeIsRefusedAsInvalidYaml() {
    var e = fails("job: w\npriority: " + "6".repeat(100) + ":0\n");
    assertEquals("spec", e.path());
    assertTrue(e.getMessage().startsWith("spec: invalid YAML: a number is out of range (For input string: \"666"), e.getMessage());
    assertTrue(e.getMessage().length() < 120, e.getMessage());
  }

  /** Found by ParserFuzzTest: a tag whose escapes decode to a space let SnakeYAML's IllegalArgumentException out. */
  @Test
  void aTagWithAnEscapedSpaceIsRefusedAsInvalidYaml() {
    var e = fails("!F%20 x\n");
    assertEquals("spec", e.path());
    assertEquals("spec: invalid YAML: Tag must not contain leading or trailing spaces.", e.getMessage());
  }

  @Test
  void anUpdateBlockGetsNomadsDefaultsForWhatItDoesNotSay() {
    var update = JobSpecParser.parse("groups: [{name: g, update: {auto_revert: true}}]").getGroups(0).getUpdate();
    assertEquals(1, update.getMaxParallel());
    assertEquals(10_000, update.getMinHealthyTimeMs());
    assertEquals(300_000, update.getHealthyDeadlineMs());
    assertEquals("start_first", update.getOrder());
    assertTrue(update.getAutoRevert());
    var given = JobSpecParser.parse("groups: [{name: g, update: {max_parallel: 0, min_healthy_time: 2s, healthy_deadline: 1m}}]")
        .getGroups(0).getUpdate();
    assertEquals(0, given.getMaxParallel());
    assertEquals(2_000, given.getMinHealthyTimeMs());
    assertEquals(60_000, given.getHealthyDeadlineMs());
    assertFalse(JobSpecParser.parse("groups: [{name: g}]").getGroups(0).hasUpdate(), "no update block: replaced at once, no gating");
  }

  @Test
  void anUpdateBlockTakesCanariesDeadlinesHealthAndStagger() {
    var defaults = JobSpecParser.parse("groups: [{name: g, update: {}}]").getGroups(0).getUpdate();
    assertEquals(600_000, defaults.getProgressDeadlineMs());
    assertEquals(0, defaults.getCanary());
    assertFalse(defaults.getAutoPromote());
    assertEquals("checks", defaults.getHealthCheck());
    assertFalse(defaults.hasStaggerMs(), "stagger is set only when given (system jobs; 30s by default there)");
    var given = JobSpecParser.parse("groups: [{name: g, update: {canary: 1, auto_promote: true, progress_deadline: 15m,"
        + " health_check: task_states, stagger: 1m}}]").getGroups(0).getUpdate();
    assertEquals(1, given.getCanary());
    assertTrue(given.getAutoPromote());
    assertEquals(900_000, given.getProgressDeadlineMs());
    assertEquals("task_states", given.getHealthCheck());
    assertEquals(60_000, given.getStaggerMs());
  }

  @Test
  void aScalingBlockGetsDefaultsForWhatItDoesNotSay() {
    var s = JobSpecParser.parse("groups: [{name: g, scaling: {min: 1, max: 5}}]").getGroups(0).getScaling();
    assertEquals(1, s.getMin());
    assertEquals(5, s.getMax());
    assertEquals(80, s.getScaleOutAbove());
    assertEquals(30, s.getScaleInBelow());
    assertEquals(1, s.getStep());
    assertEquals(0, s.getStepPercent());
    assertEquals(30_000, s.getWindowMs());
    assertEquals(30_000, s.getCooldownMs());
    assertEquals(60_000, s.getScaleInStabilizationMs());
    assertEquals(0, s.getMaxStep());
    assertEquals(0, s.getTargetCpu());
    assertFalse(s.hasScaleOutCooldownMs(), "unset: cooldown applies at decision time");
    assertFalse(s.hasScaleInCooldownMs(), "unset: cooldown applies at decision time");
  }

  @Test
  void aScalingBlockTakesEveryKey() {
    var s = JobSpecParser.parse("""
        groups:
          - name: g
            scaling:
              min: 2
              max: 20
              scale_out_above: 150
              scale_in_below: 40
              step_percent: 50
              window: 1m
              cooldown: 45s
              scale_out_cooldown: 10s
              scale_in_cooldown: 5m
              scale_in_stabilization: 2m
              max_step: 4
        """).getGroups(0).getScaling();
    assertEquals(150, s.getScaleOutAbove());
    assertEquals(40, s.getScaleInBelow());
    assertEquals(50, s.getStepPercent());
    assertEquals(0, s.getStep(), "step_percent given: no default step");
    assertEquals(60_000, s.getWindowMs());
    assertEquals(45_000, s.getCooldownMs());
    assertEquals(10_000, s.getScaleOutCooldownMs());
    assertEquals(300_000, s.getScaleInCooldownMs());
    assertEquals(120_000, s.getScaleInStabilizationMs());
    assertEquals(4, s.getMaxStep());
  }

  @Test
  void aTargetLeavesTheThresholdsUnset() {
    var s = JobSpecParser.parse("groups: [{scaling: {max: 5, target_cpu: 60, target_memory: 70}}]").getGroups(0).getScaling();
    assertEquals(60, s.getTargetCpu());
    assertEquals(70, s.getTargetMemory());
    assertEquals(0, s.getScaleOutAbove(), "no threshold default beside a target: the validator can tell both were written");
    assertEquals(0, s.getScaleInBelow());
  }

  @Test
  void unknownScalingKeyIsRefused() {
    var e = fails("groups: [{scaling: {max: 3, target: 50}}]");
    assertTrue(e.getMessage().startsWith("groups[0].scaling.target: unknown field (known: min, max, target_cpu,"), e.getMessage());
  }

  @Test
  void aServiceBlock() {
    var service = JobSpecParser.parse("""
        groups:
          - tasks:
              - name: t
                ports: [{name: http, to: 8080}]
                service: {name: web, port: http, tags: [v1, blue], weight: 3}
        """).getGroups(0).getTasks(0).getService();
    assertEquals("web", service.getName());
    assertEquals("http", service.getPort());
    assertEquals(List.of("v1", "blue"), service.getTagsList());
    assertEquals(3, service.getWeight());
    assertFalse(service.getHeadroom());
    var headroom = JobSpecParser.parse("groups: [{tasks: [{service: {name: web, port: http, weight: headroom}}]}]")
        .getGroups(0).getTasks(0).getService();
    assertTrue(headroom.getHeadroom());
    assertEquals(0, headroom.getWeight());
  }

  @Test
  void aServiceWeightIsANumberOrHeadroom() {
    for (String bad : List.of("0", "-2", "2.5", "lots", "true")) {
      var e = fails("groups: [{tasks: [{name: t}, {service: {name: web, weight: " + bad + "}}]}]");
      assertEquals("groups[0].tasks[1].service.weight", e.path(), bad);
      assertTrue(e.getMessage().contains("expected a positive whole number or headroom, got"), e.getMessage());
    }
    assertTrue(fails("groups: [{tasks: [{service: {name: web, balance: 1}}]}]").getMessage()
        .startsWith("groups[0].tasks[0].service.balance: unknown field (known: name, port, tags, weight)"));
  }

  @Test
  void wrongTypes() {
    assertEquals("groups[0].count: expected a whole number, got \"three\"", fails("groups: [{name: g, count: three}]").getMessage());
    assertEquals("groups[0].count: expected a whole number, got 2.5", fails("groups: [{count: 2.5}]").getMessage());
    assertEquals("groups: expected a list, got a mapping", fails("groups: {name: g}").getMessage());
    assertEquals("groups[0].update.auto_revert: expected true or false, got \"yes please\"",
        fails("groups: [{update: {auto_revert: yes please}}]").getMessage());
    assertEquals("groups[0].tasks[0].resources.cpu: expected a whole number of millicores, got \"1.5 cores\"",
        fails("groups: [{tasks: [{resources: {cpu: 1.5 cores}}]}]").getMessage());
    assertEquals("spec: expected a mapping, got a list", fails("- job: w\n").getMessage());
    assertEquals("groups[0].count: 99999999999 is out of range", fails("groups: [{count: 99999999999}]").getMessage());
  }

  @Test
  void badDuration() {
    var e = fails("groups: [{restart: {delay: 2x}}]");
    assertEquals("groups[0].restart.delay: expected a duration like 500ms, 2s, 5m or 1h, got \"2x\"", e.getMessage());
  }

  @Test
  void invalidYamlNamesLineAndColumn() {
    var e = fails("job: web\ngroups:\n  - name: [unclosed\n    count: 3\n");
    assertEquals("spec", e.path());
    assertTrue(e.getMessage().matches("spec: invalid YAML at line \\d+, column \\d+: .+"), e.getMessage());
    var dup = fails("job: a\njob: b\n");
    assertTrue(dup.getMessage().startsWith("spec: invalid YAML at line 2, column 1: found duplicate key job"), dup.getMessage());
    assertEquals("spec: the file is empty; expected a mapping with job, type, priority, constraints, affinities, meta, groups",
        fails("# nothing\n").getMessage());
  }

  @Test
  void oversizedFileIsRefusedBeforeParsing() throws Exception {
    Path big = dir.resolve("big.yaml");
    try (var file = new RandomAccessFile(big.toFile(), "rw")) {
      file.setLength(10L << 20); // sparse: no 10 MiB written
    }
    var e = assertThrows(SpecException.class, () -> JobSpecParser.parseFile(big));
    assertEquals("spec: file is 10.0 MiB; the limit is 1 MiB", e.getMessage());
  }

  @Test
  void missingFile() {
    var e = assertThrows(SpecException.class, () -> JobSpecParser.parseFile(dir.resolve("none.yaml")));
    assertTrue(e.getMessage().startsWith("spec: cannot read "), e.getMessage());
    assertTrue(e.getMessage().endsWith("none.yaml: no such file"), e.getMessage());
  }

  @Test
  void aliasBombIsRefused() throws Exception {
    var text = new StringBuilder("a: &a [x, x, x, x, x, x, x, x, x, x]\n");
    for (char c = 'b'; c <= 'z'; c++) {
      char p = (char) (c - 1);
      text.append(c).append(": &").append(c).append(" [*").append(p).append(", *").append(p).append(", *").append(p).append("]\n");
    }
    Path file = Files.writeString(dir.resolve("bomb.yaml"), text);
    var e = assertThrows(SpecException.class, () -> JobSpecParser.parseFile(file));
    assertTrue(e.getMessage().startsWith("spec: invalid YAML: more than 20 aliases"), e.getMessage());
  }

  @Test
  void workingDir() {
    var spec = JobSpecParser.parse("groups: [{tasks: [{name: t, driver: exec, command: [ls], working_dir: work/bin}]}]");
    assertEquals("work/bin", spec.getGroups(0).getTasks(0).getWorkingDir());
  }

  private static SpecException fails(String yaml) {
    return assertThrows(SpecException.class, () -> JobSpecParser.parse(yaml));
  }
}
