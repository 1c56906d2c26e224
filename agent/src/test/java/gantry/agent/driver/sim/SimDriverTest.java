package gantry.agent.driver.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.agent.driver.DriverException;
import gantry.agent.driver.ResourceUsage;
import gantry.agent.driver.TaskDescription;
import gantry.agent.driver.TaskHandle;
import gantry.agent.driver.TaskStatus;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SimDriverTest {
  private final SimDriver driver = new SimDriver();

  private static TaskDescription task(String alloc) {
    return TaskDescription.builder(alloc, "main").image("local/busybox:1").build();
  }

  @Test
  void lifecycle() {
    TaskHandle h = driver.start(task("a1"));
    assertInstanceOf(TaskStatus.Running.class, driver.status(h));
    assertEquals(1, driver.recover("a1").size());
    driver.setUsage(h, new ResourceUsage(12.5, 30));
    assertEquals(new ResourceUsage(12.5, 30), driver.stats(h));
    assertThrows(DriverException.class, () -> driver.start(task("a1")));
    assertInstanceOf(TaskStatus.Killed.class, driver.stop(h, Duration.ofSeconds(1)));
    assertTrue(driver.recover("a1").isEmpty());
    assertEquals(ResourceUsage.NONE, driver.stats(h));
    driver.destroy(h);
    assertEquals(DriverException.Kind.TASK_NOT_FOUND,
        assertThrows(DriverException.class, () -> driver.status(h)).kind());
  }

  @Test
  void exitReportsTheCode() {
    TaskHandle h = driver.start(task("a2"));
    driver.exit(h, 4);
    assertEquals(4, assertInstanceOf(TaskStatus.Exited.class, driver.await(h, Duration.ofSeconds(1))).exitCode());
  }

  @Test
  void aWatcherIsToldOfTheEndOnceAndAtOnceWhenTheTaskHadEnded() {
    TaskHandle h = driver.start(task("a3"));
    AtomicInteger told = new AtomicInteger();
    assertTrue(driver.watch(h, told::incrementAndGet));
    assertEquals(0, told.get(), "it runs");
    driver.exit(h, 1);
    assertEquals(1, told.get());
    driver.stop(h, Duration.ofSeconds(1));
    assertEquals(1, told.get(), "told once");

    TaskHandle stopped = driver.start(task("a4"));
    AtomicInteger toldOfStop = new AtomicInteger();
    driver.watch(stopped, toldOfStop::incrementAndGet);
    driver.stop(stopped, Duration.ofSeconds(1));
    assertEquals(1, toldOfStop.get(), "a stop ends it too");

    AtomicInteger late = new AtomicInteger();
    assertTrue(driver.watch(h, late::incrementAndGet));
    assertEquals(1, late.get(), "a watch of an ended task is answered at once");

    driver.destroy(h);
    assertEquals(DriverException.Kind.TASK_NOT_FOUND,
        assertThrows(DriverException.class, () -> driver.watch(h, () -> { })).kind());
  }

  @Test
  void holdsManyTasksAndFindsEachAgain() {
    // How cheap they are is the scheduler benchmark's to say (README, Benchmarks), not a test's.
    for (int i = 0; i < 20_000; i++) {
      driver.start(task("a" + i));
    }
    assertEquals(20_000, driver.size());
    TaskHandle h = driver.recover("a12345").getFirst();
    assertEquals("a12345", h.allocationId());
    assertInstanceOf(TaskStatus.Killed.class, driver.stop(h, Duration.ofSeconds(1)));
    assertTrue(driver.recover("a12345").isEmpty());
    assertEquals(1, driver.recover("a12346").size(), "the others run on");
  }
}
