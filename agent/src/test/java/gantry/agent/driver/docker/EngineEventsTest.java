package gantry.agent.driver.docker;

import static gantry.agent.Waits.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.agent.driver.TaskDescription;
import gantry.agent.driver.TaskHandle;
import gantry.agent.driver.TaskStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The driver's watch through the real engine's event stream: a container's end reaches its
 * watcher without any status call, an end before the watch is told at once, and a cut stream is
 * made again without losing an end. Needs the engine and local/busybox:1 (scripts/images.sh);
 * fails, never skips, without them. Containers made here are removed by id afterwards.
 */
class EngineEventsTest {
  static final String IMAGE = DockerDriverTest.IMAGE;
  static final Duration WAIT = Duration.ofSeconds(20);

  private static TestEngine.Pair engine;
  private final List<String> allocations = new ArrayList<>();

  @BeforeAll
  static void connect() {
    engine = TestEngine.openWith(IMAGE);
  }

  @AfterAll
  static void disconnect() {
    if (engine != null) engine.close();
  }

  @AfterEach
  void removeContainers() {
    TestEngine.removeAllocations(engine.client(), allocations);
  }

  private TaskHandle start(String... command) {
    String alloc = "w" + UUID.randomUUID().toString().substring(0, 8);
    allocations.add(alloc);
    return engine.driver().start(TaskDescription.builder(alloc, "main").image(IMAGE).command(command).build());
  }

  private boolean exited(String id) {
    return !Boolean.TRUE.equals(engine.client().inspectContainerCmd(id).exec().getState().getRunning());
  }

  @Test
  void aContainerThatExitsIsToldToItsWatcher() {
    TaskHandle h = start("sh", "-c", "sleep 1; exit 3");
    AtomicInteger told = new AtomicInteger();
    assertTrue(engine.driver().watch(h, told::incrementAndGet));
    waitFor("the watcher told of the exit", WAIT).until(() -> told.get() == 1);
    TaskStatus.Exited end = assertInstanceOf(TaskStatus.Exited.class, engine.driver().status(h));
    assertEquals(3, end.exitCode());
  }

  @Test
  void aContainerKilledBehindTheAgentsBackIsToldAndEachWatcherOnce() {
    TaskHandle h = start("sleep", "300");
    AtomicInteger first = new AtomicInteger();
    AtomicInteger second = new AtomicInteger();
    assertTrue(engine.driver().watch(h, first::incrementAndGet));
    assertTrue(engine.driver().watch(h, second::incrementAndGet));
    engine.client().killContainerCmd(h.id()).exec();
    engine.client().removeContainerCmd(h.id()).withForce(true).exec(); // a die, then a destroy
    waitFor("both watchers told", WAIT).until(() -> first.get() == 1 && second.get() == 1);
    AtomicInteger late = new AtomicInteger();
    assertTrue(engine.driver().watch(h, late::incrementAndGet)); // the destroy, kept for a watch still to come
    waitFor("a later watch told too", WAIT).until(() -> late.get() == 1);
    assertEquals(1, first.get(), "told once");
  }

  @Test
  void anEndBeforeTheWatchIsToldAtOnce() {
    TaskHandle h = start("true");
    waitFor("the container exited", WAIT).until(() -> exited(h.id()));
    AtomicInteger told = new AtomicInteger();
    assertTrue(engine.driver().watch(h, told::incrementAndGet));
    waitFor("told of the earlier end", WAIT).until(() -> told.get() == 1);
  }

  @Test
  void eventsSinceTheCursorAreReplayedToANewFeed() {
    Instant before = Instant.now().minusSeconds(2);
    TaskHandle h = start("true");
    waitFor("the container exited", WAIT).until(() -> exited(h.id()));
    try (EngineEvents late = EngineEvents.followFrom(DockerConnection.open(DockerConnection.configuredHost(),
        System.getenv()), before)) {
      AtomicInteger told = new AtomicInteger();
      waitFor("the end replayed to a feed that started after it", WAIT).until(() -> {
        late.watch(h.id(), told::incrementAndGet);
        return told.get() > 0;
      });
    }
  }

  @Test
  void aCutStreamTellsEveryWatcherAndEndsAfterItAreStillSeen() {
    TaskHandle h = start("sleep", "300");
    try (EngineEvents events = EngineEvents.followFrom(DockerConnection.open(DockerConnection.configuredHost(),
        System.getenv()), Instant.now().minusSeconds(1))) {
      AtomicInteger beforeCut = new AtomicInteger();
      events.watch(h.id(), beforeCut::incrementAndGet);
      waitFor("a stream open, then cut", WAIT).until(events::cut);
      waitFor("told after the reconnect", WAIT).until(() -> beforeCut.get() == 1);
      assertInstanceOf(TaskStatus.Running.class, engine.driver().status(h), "still runs: the runner watches it again");
      AtomicInteger again = new AtomicInteger();
      events.watch(h.id(), again::incrementAndGet);
      engine.client().killContainerCmd(h.id()).exec();
      waitFor("its end seen on the new stream", WAIT).until(() -> again.get() == 1);
    }
  }
}
