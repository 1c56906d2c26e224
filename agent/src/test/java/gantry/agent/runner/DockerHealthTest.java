package gantry.agent.runner;

import static gantry.agent.Waits.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import gantry.agent.driver.DriverException;
import gantry.agent.driver.docker.DockerDriver;
import gantry.agent.driver.docker.TestEngine;
import gantry.agent.health.NetworkProber;
import gantry.v1.AllocatedPort;
import gantry.v1.Allocation;
import gantry.v1.AllocationStatusUpdate;
import gantry.v1.Assignment;
import gantry.v1.CheckSpec;
import gantry.v1.ClientStatus;
import gantry.v1.GroupSpec;
import gantry.v1.PortSpec;
import gantry.v1.Resources;
import gantry.v1.TaskSpec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner with the real Docker driver: busybox httpd on an allocated host port, an http check
 * that turns healthy, metrics, and a forgetting stop that removes the container; exits seen from
 * the engine's events alone. Needs the engine
 * and local/busybox:1 (scripts/images.sh); fails, never skips, without them.
 */
class DockerHealthTest {
  static final String IMAGE = "local/busybox:1";

  @TempDir Path dir;
  final String alloc = UUID.randomUUID().toString();
  DockerClient docker;

  @AfterEach
  void removeContainers() {
    if (docker != null) {
      for (var c : docker.listContainersCmd().withShowAll(true)
          .withLabelFilter(Map.of(DockerDriver.LABEL_ALLOC, alloc)).exec()) {
        docker.removeContainerCmd(c.getId()).withForce(true).exec();
      }
      try {
        docker.close();
      } catch (IOException ignored) {
        // closing after the test
      }
    }
  }

  /** The driver, with {@link #docker} opened beside it; fails the test without an engine or the image. */
  DockerDriver connect() {
    try {
      DockerDriver driver = DockerDriver.connect();
      docker = TestEngine.open();
      docker.inspectImageCmd(IMAGE).exec();
      return driver;
    } catch (DriverException | NotFoundException e) {
      return fail("needs a Docker engine with " + IMAGE + " (scripts/images.sh): " + e.getMessage());
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Test
  void httpdBecomesHealthyReportsMetricsAndIsRemovedWhenForgotten() throws Exception {
    DockerDriver driver = connect();
    int port = freePort();
    Assignment a = Assignment.newBuilder()
        .setAllocation(Allocation.newBuilder().setId(alloc).setJob("web").setGroup("frontend")
            .addPorts(AllocatedPort.newBuilder().setTask("httpd").setName("http").setHost(port).setTo(8080)))
        .setGroup(GroupSpec.newBuilder().setName("frontend").addTasks(TaskSpec.newBuilder().setName("httpd")
            .setDriver("docker").setImage(IMAGE)
            .addAllCommand(List.of("sh", "-c", "mkdir -p /www && echo ok > /www/index.html && exec httpd -f -p 8080 -h /www"))
            .setResources(Resources.newBuilder().setCpu(250).setMemory(64))
            .addPorts(PortSpec.newBuilder().setName("http").setTo(8080))
            .setCheck(CheckSpec.newBuilder().setType("http").setPort("http").setPath("/").setIntervalMs(300)
                .setTimeoutMs(1000))))
        .build();
    List<AllocationStatusUpdate> sent = new CopyOnWriteArrayList<>();
    try (DriverSet drivers = DriverSet.of(List.of(driver), "docker")) {
      AllocationRunner r = AllocationRunner.create(a, drivers, Clock.systemUTC(), new NetworkProber(),
          AllocationStore.in(dir), new AllocationRunner.Settings(Duration.ofMillis(200), Duration.ofSeconds(1),
              Duration.ofSeconds(2)), sent::add, x -> { });
      r.start();
      Duration wait = Duration.ofSeconds(20);
      waitFor("healthy", wait).until(() -> r.status().getTasksOrThrow("httpd").getHealth().equals("healthy"));
      assertEquals(ClientStatus.CLIENT_STATUS_RUNNING, r.status().getClientStatus());
      waitFor("memory metrics", wait).until(() -> r.status().getMetrics().getMemoryMb() > 0
          || r.status().getMetrics().getTimeMs() > 0);
      r.stop("no longer assigned to this node", false, true);
      assertTrue(r.join(wait));
      assertTrue(docker.listContainersCmd().withShowAll(true)
          .withLabelFilter(Map.of(DockerDriver.LABEL_ALLOC, alloc)).exec().isEmpty(), "container removed");
    }
  }

  @Test
  void aContainersExitsAreSeenFromTheEnginesEventsWithoutPolling() throws Exception {
    DockerDriver driver = connect();
    // Poll and metrics intervals of an hour: only the engine's events can make the runner see the
    // exits within the wait.
    AllocationRunner.Settings hourly = new AllocationRunner.Settings(Duration.ofHours(1), Duration.ofHours(1),
        Duration.ofSeconds(2));
    Assignment a = Assignment.newBuilder()
        .setAllocation(Allocation.newBuilder().setId(alloc).setJob("batch").setGroup("g"))
        .setGroup(GroupSpec.newBuilder().setName("g").setRestart(gantry.v1.RestartPolicy.newBuilder()
                .setAttempts(1).setDelayMs(10).setIntervalMs(60_000).setMode("fail"))
            .addTasks(TaskSpec.newBuilder().setName("main").setDriver("docker").setImage(IMAGE)
                .addAllCommand(List.of("sh", "-c", "sleep 1; exit 3"))))
        .build();
    try (DriverSet drivers = DriverSet.of(List.of(driver), "docker")) {
      AllocationRunner r = AllocationRunner.create(a, drivers, Clock.systemUTC(), new NetworkProber(),
          AllocationStore.in(dir), hourly, u -> { }, x -> { });
      r.start();
      Duration wait = Duration.ofSeconds(30);
      waitFor("failed after its one restart", wait)
          .until(() -> r.status().getClientStatus() == ClientStatus.CLIENT_STATUS_FAILED);
      assertEquals(1, r.status().getTasksOrThrow("main").getRestarts());
      assertTrue(r.status().getDescription().startsWith("task main: exit code 3"), r.status().getDescription());
      r.stop("test over", false, true);
      assertTrue(r.join(wait));
    }
  }

  @Test
  void anExecCheckRunsInsideTheContainerAndLogsComeFromTheEngine() throws Exception {
    DockerDriver driver = connect();
    Assignment a = Assignment.newBuilder()
        .setAllocation(Allocation.newBuilder().setId(alloc).setJob("web").setGroup("g"))
        .setGroup(GroupSpec.newBuilder().setName("g").addTasks(TaskSpec.newBuilder().setName("main")
            .setDriver("docker").setImage(IMAGE)
            .addAllCommand(List.of("sh", "-c", "echo started $GANTRY_TASK; touch /tmp/ready; exec sleep 600"))
            .setCheck(CheckSpec.newBuilder().setType("exec").addAllCommand(List.of("test", "-f", "/tmp/ready"))
                .setIntervalMs(300).setTimeoutMs(3000))))
        .build();
    try (DriverSet drivers = DriverSet.of(List.of(driver), "docker")) {
      AllocationRunner r = AllocationRunner.create(a, drivers, Clock.systemUTC(), new NetworkProber(),
          AllocationStore.in(dir), new AllocationRunner.Settings(Duration.ofMillis(200), Duration.ofSeconds(1),
              Duration.ofSeconds(2)), u -> { }, x -> { });
      r.start();
      Duration wait = Duration.ofSeconds(30);
      waitFor("healthy by the exec check", wait)
          .until(() -> r.status().getTasksOrThrow("main").getHealth().equals("healthy"));
      var logs = r.logs("", 10);
      assertEquals("", logs.getError());
      assertTrue(logs.getText().contains("started main"), logs.getText());
      r.stop("no longer assigned to this node", false, true);
      assertTrue(r.join(wait));
    }
  }
}
