package gantry.cli.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.UnknownFieldSet;
import gantry.v1.GetJobRequest;
import gantry.v1.GetJobResponse;
import gantry.v1.GroupSpec;
import gantry.v1.GroupSummary;
import gantry.v1.JobSpec;
import gantry.v1.ListNodesRequest;
import gantry.v1.NodeStatus;
import gantry.v1.RegisterJobRequest;
import gantry.v1.Resources;
import gantry.v1.TaskSpec;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bad job specs sent with {@code gantry job run} to a real peer: exit code 2, a one-line message
 * naming the field, and nothing written (the state digest is unchanged, {@code gantry job ls}
 * lists none of them). Among them the inputs a user reported as registered: zero CPU and memory,
 * 40 groups of 100,000 replicas, and an invalid regular expression. A valid but catastrophic one
 * for a backtracking matcher, {@code (a+)+$}, is accepted and evaluated quickly against a real
 * agent's labels.
 */
class BadSpecIT {
  @TempDir Path dir;

  static final String GOOD = """
      job: web
      groups:
        - name: frontend
          count: 2
          tasks:
            - name: httpd
              driver: docker
              image: local/busybox:1
              resources: {cpu: 100, memory: 32}
      """;

  /** An exec job named {@code name} with one constraint, placed on an agent by its labels. */
  static String execJob(String name, String constraint) {
    return """
        job: %s
        constraints: [%s]
        groups:
          - name: g
            count: 1
            tasks:
              - {name: t, driver: exec, command: [sleep, "30"], resources: {cpu: 100, memory: 32}}
        """.formatted(name, constraint);
  }

  static String manyGroups(int groups, int count) {
    StringBuilder s = new StringBuilder("job: huge\ngroups:\n");
    for (int i = 0; i < groups; i++) {
      s.append("  - name: g").append(i).append("\n    count: ").append(count)
          .append("\n    tasks: [{name: t, driver: exec, command: [sleep, \"60\"], resources: {cpu: 100, memory: 32}}]\n");
    }
    return s.toString();
  }

  static String billionLaughs() {
    StringBuilder s = new StringBuilder("job: laughs\nmeta:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (char c = 'b'; c <= 'z'; c++) {
      s.append("  ").append(c).append(": &").append(c).append(" [")
          .append(String.join(", ", Collections.nCopies(9, "*" + (char) (c - 1)))).append("]\n");
    }
    return s.toString();
  }

  @Test
  void badSpecsAreRefusedWithTheFieldNamedAndChangeNothing() throws Exception {
    try (PeerProcesses cluster = new PeerProcesses(dir.resolve("cluster"), 1, Map.of())) {
      cluster.startAll();
      cluster.awaitLeader(Duration.ofSeconds(60));
      String addr = cluster.peers().getFirst().grpc();
      Gantry.Result ok = Gantry.run("job", "run", "--detach", write("good.yaml", GOOD).toString(), "--address", addr);
      assertEquals(0, ok.exit(), ok.stderr());
      String before = cluster.awaitEqualDigests(Duration.ofSeconds(30));

      refused(addr, "no-name.yaml", GOOD.replace("job: web\n", ""), "job");
      refused(addr, "negative.yaml", GOOD.replace("count: 2", "count: -1"), "groups[0].count");
      refused(addr, "driver.yaml", GOOD.replace("driver: docker", "driver: qemu"), "groups[0].tasks[0].driver");
      refused(addr, "memory.yaml", GOOD.replace("memory: 32", "memory: lots"), "groups[0].tasks[0].resources.memory");
      refused(addr, "yaml.yaml", "job: web\ngroups: [ {name: x\n", "invalid YAML");
      refused(addr, "huge.yaml", GOOD + "meta:\n  blob: \"" + "x".repeat(10 << 20) + "\"\n", "spec");

      // The reported inputs.
      String zero = GOOD.replace("job: web", "job: zero").replace("{cpu: 100, memory: 32}", "{cpu: 0, memory: 0}");
      refused(addr, "zero.yaml", zero, "groups[0].tasks[0].resources.cpu: must be at least 1 millicore, got 0",
          "groups[0].tasks[0].resources.memory: must be at least 1 MiB, got 0");
      refused(addr, "many.yaml", manyGroups(40, 100_000),
          "groups: the groups' counts add up to 4000000 replicas; a job may have at most 10000 in total");
      refused(addr, "groups.yaml", manyGroups(101, 1), "groups: a job may have at most 100 groups, got 101");
      refused(addr, "regexp.yaml", execJob("badre", "{attribute: label.x, operator: regexp, value: \"(\"}"),
          "constraints[0].value: is not a valid regular expression: missing closing )");
      refused(addr, "workdir.yaml", GOOD.replace("job: web", "job: escape").replace("driver: docker", "driver: exec")
              .replace("image: local/busybox:1", "command: [ls]\n        working_dir: ../../etc"),
          "groups[0].tasks[0].working_dir: must stay inside the task directory");
      refused(addr, "laughs.yaml", billionLaughs(), "spec: invalid YAML: more than 20 aliases");

      // A field this server does not know, sent by a (newer) gRPC client, is refused rather than dropped.
      JobSpec unknown = JobSpec.newBuilder().setName("future").addGroups(GroupSpec.newBuilder().setName("g")
          .addTasks(TaskSpec.newBuilder().setName("t").setDriver("exec").addCommand("ls")
              .setResources(Resources.newBuilder().setCpu(100).setMemory(32))
              .setUnknownFields(UnknownFieldSet.newBuilder()
                  .addField(99, UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build()))).build();
      var e = assertThrows(StatusRuntimeException.class,
          () -> cluster.stub("m1").registerJob(RegisterJobRequest.newBuilder().setSpec(unknown).build()));
      assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().startsWith("groups[0].tasks[0]: unknown field 99"), e.getStatus().getDescription());

      assertEquals(before, cluster.digest("m1").getDigest(), "a refused spec must change nothing");
      String jobs = Gantry.ok(Gantry.runAt(addr, "job", "ls"));
      assertTrue(jobs.contains("web"), jobs);
      for (String name : List.of("zero", "huge", "badre", "escape", "laughs", "future")) {
        assertFalse(jobs.contains(name), name + " must not be registered; job ls says:\n" + jobs);
      }
    }
  }

  /**
   * {@code (a+)+$} against {@code a...ab} takes a backtracking matcher 2^40 steps; the scheduler's
   * RE2/J is linear. The job whose constraint cannot match is reported unplaced, with the reason,
   * as quickly as the one that matches is placed: the leader's scheduler did not hang.
   */
  @Test
  void aCatastrophicRegexpIsEvaluatedQuickly() throws Exception {
    try (PeerProcesses cluster = new PeerProcesses(dir.resolve("cluster"), 1, Map.of());
        AgentProcesses agents = new AgentProcesses(dir.resolve("agents"),
            Path.of(System.getProperty("gantry.it.logs", dir.toString())).resolve("BadSpecIT-agents-" + System.currentTimeMillis()))) {
      cluster.startAll();
      String leader = cluster.awaitLeader(Duration.ofSeconds(60));
      String addr = cluster.addresses();
      agents.start("x1", addr, "exec", Map.of("bomb", "a".repeat(40) + "b", "fine", "aaaa"));
      PeerProcesses.await("agent x1 ready", Duration.ofSeconds(90), () -> cluster.stub(leader)
          .listNodes(ListNodesRequest.getDefaultInstance()).getNodesList().stream()
          .anyMatch(n -> n.getName().equals("x1") && n.getStatus() == NodeStatus.NODE_STATUS_READY));

      String regexp = "operator: regexp, value: \"(a+)+$\"";
      Gantry.ok(Gantry.runAt(addr, "job", "run", "--detach",
          write("bomb.yaml", execJob("bomb", "{attribute: label.bomb, " + regexp + "}")).toString()));
      Gantry.ok(Gantry.runAt(addr, "job", "run", "--detach",
          write("fine.yaml", execJob("fine", "{attribute: label.fine, " + regexp + "}")).toString()));
      try {
        PeerProcesses.await("job fine placed", Duration.ofSeconds(30), () -> placed(cluster.stub(leader).getJob(job("fine"))) == 1);
        PeerProcesses.await("job bomb evaluated", Duration.ofSeconds(30), () -> {
          GetJobResponse r = cluster.stub(leader).getJob(job("bomb"));
          return r.getGroupsCount() > 0 && !r.getGroups(0).getUnplacedReason().isEmpty();
        });
        GetJobResponse bomb = cluster.stub(leader).getJob(job("bomb"));
        assertEquals(0, placed(bomb));
        assertTrue(bomb.getGroups(0).getUnplacedReason().contains("failed constraint label.bomb regexp (a+)+$"),
            bomb.getGroups(0).getUnplacedReason());
      } finally {
        Gantry.runAt(addr, "job", "stop", "fine");
      }
    }
  }

  private static GetJobRequest job(String name) {
    return GetJobRequest.newBuilder().setName(name).build();
  }

  private static int placed(GetJobResponse r) {
    return r.getGroupsList().stream().mapToInt(GroupSummary::getPlaced).sum();
  }

  /** Exit 2 and one line on stderr that names the fields (or says what is wrong with the file). */
  private void refused(String addr, String file, String text, String... reasons) throws Exception {
    Gantry.Result r = Gantry.run("job", "run", "--detach", write(file, text).toString(), "--address", addr);
    assertEquals(2, r.exit(), file + ": expected exit 2, got " + r.exit() + "; stderr: " + r.stderr());
    for (String reason : reasons) {
      assertTrue(r.stderr().contains(reason), file + ": the message should say " + reason + "; got: " + r.stderr());
    }
    assertEquals(1, r.stderr().lines().filter(l -> !l.isBlank()).count(), file + ": one line; got: " + r.stderr());
  }

  private Path write(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }
}
