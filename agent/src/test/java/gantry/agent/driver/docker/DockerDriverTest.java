package gantry.agent.driver.docker;

import static gantry.agent.Waits.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.command.InspectContainerResponse;
import com.github.dockerjava.api.exception.NotFoundException;
import gantry.agent.driver.CommandResult;
import gantry.agent.driver.DriverException;
import gantry.agent.driver.ResourceUsage;
import gantry.agent.driver.TaskDescription;
import gantry.agent.driver.TaskHandle;
import gantry.agent.driver.TaskStatus;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Against the real engine. It must answer and hold local/busybox:1 (scripts/images.sh); these
 * tests fail, never skip, when it does not, and never pull. Every container made here is removed
 * by id afterwards.
 */
class DockerDriverTest {
  static final String IMAGE = "local/busybox:1";

  private static DockerDriver driver;
  private static DockerClient docker;
  private final List<String> allocations = new ArrayList<>();

  @BeforeAll
  static void connect() {
    TestEngine.Pair engine = TestEngine.openWith(IMAGE);
    driver = engine.driver();
    docker = engine.client();
  }

  @AfterAll
  static void disconnect() {
    if (driver != null) {
      driver.close();
    }
    if (docker != null) {
      TestEngine.close(docker);
    }
  }

  /** Removes, by id, every container (running or not) labelled with an allocation of this test. */
  @AfterEach
  void removeContainers() {
    TestEngine.removeAllocations(docker, allocations);
  }

  private String alloc() {
    String id = "t" + UUID.randomUUID().toString().substring(0, 8);
    allocations.add(id);
    return id;
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  @Test
  void httpdServesOnItsHostPortWithLimitsLabelsAndEnv() throws Exception {
    int port = freePort();
    String alloc = alloc();
    TaskDescription task = TaskDescription.builder(alloc, "httpd").job("web").group("frontend").image(IMAGE)
        .command("httpd", "-f", "-p", "8080", "-h", "/www")
        .env("GREETING", "hello").cpu(250).memory(64).port(port, 8080).build();
    TaskHandle h = driver.start(task);

    assertEquals("gantry\n", get("http://127.0.0.1:" + port + "/"));

    InspectContainerResponse inspect = docker.inspectContainerCmd(h.id()).exec();
    assertEquals(250_000_000L, inspect.getHostConfig().getNanoCPUs());
    assertEquals(64L * 1024 * 1024, inspect.getHostConfig().getMemory());
    assertEquals(Boolean.TRUE, inspect.getHostConfig().getInit());
    assertEquals(alloc, inspect.getConfig().getLabels().get("gantry.alloc"));
    assertEquals("httpd", inspect.getConfig().getLabels().get("gantry.task"));
    assertEquals("web", inspect.getConfig().getLabels().get("gantry.job"));
    assertTrue(List.of(inspect.getConfig().getEnv()).contains("GREETING=hello"));

    assertInstanceOf(TaskStatus.Running.class, driver.status(h));
    ResourceUsage usage = driver.stats(h);
    assertTrue(usage.cpuPercent() >= 0 && usage.cpuPercent() < 250, "cpu " + usage);
    assertTrue(usage.memoryMiB() > 0 && usage.memoryMiB() <= 64, "memory " + usage);

    // httpd is not PID 1 (the init is), so SIGTERM ends it well within the grace.
    Instant t0 = Instant.now();
    assertInstanceOf(TaskStatus.Killed.class, driver.stop(h, Duration.ofSeconds(5)));
    assertTrue(Duration.between(t0, Instant.now()).compareTo(Duration.ofSeconds(3)) < 0);
    driver.destroy(h);
    assertThrows(NotFoundException.class, () -> docker.inspectContainerCmd(h.id()).exec());
  }

  /** The body of a 200 from {@code url}; httpd binds a moment after the container starts. */
  private static String get(String url) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    HttpRequest request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build();
    return waitFor("HTTP 200 from " + url, Duration.ofSeconds(10)).ignoreExceptionsInstanceOf(IOException.class)
        .until(() -> http.send(request, HttpResponse.BodyHandlers.ofString()), r -> r.statusCode() == 200).body();
  }

  @Test
  void theCpuOfABusyTaskIsMeasuredBetweenSamplesUpToItsLimit() {
    TaskHandle h = driver.start(TaskDescription.builder(alloc(), "busy").image(IMAGE).cpu(500)
        .command("sh", "-c", "while :; do :; done").build());
    driver.stats(h); // the first sample, the engine's own two reads; later ones are one read each
    ResourceUsage later = waitFor("a later sample with CPU", Duration.ofSeconds(20))
        .until(() -> driver.stats(h), u -> u.cpuPercent() > 5);
    assertTrue(later.cpuPercent() < 75, "held near its 500 millicores (50 % of a core): " + later);
    assertTrue(later.memoryMiB() > 0, "memory " + later);
  }

  @Test
  void missingImageFailsWithoutPulling() {
    var e = assertThrows(DriverException.class, () -> driver.start(
        TaskDescription.builder(alloc(), "main").image("local/nope:1").command("true").build()));
    assertEquals(DriverException.Kind.IMAGE_NOT_FOUND, e.kind());
    assertTrue(e.getMessage().startsWith("image not found: local/nope:1"), e.getMessage());
  }

  @Test
  void hostPortInUseFailsClearlyAndLeavesNoContainer() throws Exception {
    String alloc = alloc();
    try (ServerSocket taken = new ServerSocket()) {
      taken.bind(new InetSocketAddress(InetAddress.getByName("0.0.0.0"), 0));
      int port = taken.getLocalPort();
      var e = assertThrows(DriverException.class, () -> driver.start(TaskDescription.builder(alloc, "httpd")
          .image(IMAGE).command("httpd", "-f", "-p", "8080").port(port, 8080).build()));
      assertEquals(DriverException.Kind.PORT_IN_USE, e.kind());
      assertTrue(e.getMessage().startsWith("port " + port + " already in use"), e.getMessage());
    }
    assertTrue(docker.listContainersCmd().withShowAll(true)
        .withLabelFilter(Map.of(DockerDriver.LABEL_ALLOC, alloc)).exec().isEmpty());
  }

  @Test
  void taskThatExitsAtOnceReportsItsCodeAndLogs() {
    TaskHandle h = driver.start(TaskDescription.builder(alloc(), "main").image(IMAGE)
        .command("sh", "-c", "echo hello $GREETING; echo oops >&2; exit 3").env("GREETING", "world").build());
    TaskStatus status = driver.await(h, Duration.ofSeconds(10));
    assertEquals(3, assertInstanceOf(TaskStatus.Exited.class, status).exitCode());
    String logs = driver.logs(h, 10);
    assertTrue(logs.contains("hello world"), logs);
    assertTrue(logs.contains("oops"), logs);
    assertEquals(ResourceUsage.NONE, driver.stats(h));
  }

  @Test
  void stopKillsATaskIgnoringSigtermAfterTheGrace() {
    TaskHandle h = driver.start(TaskDescription.builder(alloc(), "stubborn").image(IMAGE)
        .command("sh", "-c", "trap '' TERM; echo ready; while :; do sleep 1; done").build());
    awaitLog(h, "ready");
    Instant t0 = Instant.now();
    TaskStatus status = driver.stop(h, Duration.ofSeconds(1));
    Duration took = Duration.between(t0, Instant.now());
    assertInstanceOf(TaskStatus.Killed.class, status);
    assertTrue(took.compareTo(Duration.ofMillis(900)) >= 0, "killed before the grace: " + took);
    assertTrue(took.compareTo(Duration.ofSeconds(4)) < 0, "stop took " + took);
  }

  private static void awaitLog(TaskHandle h, String text) {
    waitFor("task " + h.taskName() + " printing " + text, Duration.ofSeconds(5))
        .until(() -> driver.logs(h, 5).contains(text));
  }

  @Test
  void recoverFindsTheRunningContainerByAllocation() {
    String alloc = alloc();
    TaskHandle h = driver.start(TaskDescription.builder(alloc, "sleeper").image(IMAGE).command("sleep", "300").build());
    try (DockerDriver restarted = DockerDriver.connect()) {
      List<TaskHandle> found = restarted.recover(alloc);
      assertEquals(1, found.size());
      assertEquals(h.id(), found.getFirst().id());
      assertEquals("sleeper", found.getFirst().taskName());
      assertInstanceOf(TaskStatus.Running.class, restarted.status(found.getFirst()));
      assertTrue(restarted.recover(alloc + "x").isEmpty());
    }
  }

  @Test
  void aCommandInTheTaskGivesItsOutputAndCodeOrTimesOut() {
    TaskHandle h = driver.start(TaskDescription.builder(alloc(), "sleeper").image(IMAGE).command("sleep", "300").build());
    CommandResult r = driver.runInTask(h, List.of("sh", "-c", "echo out; echo err >&2; exit 4"), Duration.ofSeconds(10));
    assertEquals(4, r.exitCode(), r.output());
    assertTrue(r.output().contains("out\n") && r.output().contains("err\n"), r.output());

    CommandResult slow = driver.runInTask(h, List.of("sleep", "5"), Duration.ofMillis(300));
    assertEquals(CommandResult.timedOut(Duration.ofMillis(300)), slow);
  }

  @Test
  void aSecondContainerForTheSameTaskIsRefusedAndTheFirstRunsOn() {
    String alloc = alloc();
    TaskDescription task = TaskDescription.builder(alloc, "sleeper").image(IMAGE).command("sleep", "300").build();
    TaskHandle first = driver.start(task);
    var e = assertThrows(DriverException.class, () -> driver.start(task));
    assertEquals(DriverException.Kind.ALREADY_RUNNING, e.kind());
    assertTrue(e.getMessage().contains("already exists"), e.getMessage());
    assertEquals(Boolean.TRUE, docker.inspectContainerCmd(first.id()).exec().getState().getRunning());
  }
}
