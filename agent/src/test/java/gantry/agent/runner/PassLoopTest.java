package gantry.agent.runner;

import static gantry.agent.Waits.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PassLoopTest {
  static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void aWakeUpDuringAPassIsNotLostAndPassesNeverOverlap() throws Exception {
    CountDownLatch inFirst = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    AtomicBoolean work = new AtomicBoolean();
    AtomicInteger passes = new AtomicInteger();
    AtomicInteger running = new AtomicInteger();
    List<Integer> overlaps = new CopyOnWriteArrayList<>();
    PassLoop loop = new PassLoop("t", () -> {
      overlaps.add(running.incrementAndGet());
      try {
        if (passes.incrementAndGet() == 1) {
          inFirst.countDown();
          release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } else {
          work.set(false);
        }
        return passes.get() < 3 ? Duration.ofHours(1).toMillis() : PassLoop.END;
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      } finally {
        running.decrementAndGet();
      }
    }, work::get);
    loop.start();
    assertTrue(inFirst.await(WAIT.toMillis(), TimeUnit.MILLISECONDS));
    work.set(true);
    loop.wake(); // a pass runs: this one is folded into what follows it
    release.countDown();
    waitFor("the pass that saw the work", WAIT).until(() -> passes.get() == 2 && !work.get());
    assertFalse(loop.join(Duration.ofMillis(1)), "the next pass is an hour away");
    loop.wake();
    assertTrue(loop.join(WAIT));
    assertEquals(3, passes.get());
    assertTrue(overlaps.stream().allMatch(n -> n == 1), "one pass at a time: " + overlaps);
  }

  @Test
  void theTimerMakesTheNextPassWhenDue() throws Exception {
    AtomicInteger passes = new AtomicInteger();
    PassLoop loop = new PassLoop("t", () -> passes.incrementAndGet() < 3 ? 20 : PassLoop.END, () -> false);
    assertTrue(loop.join(Duration.ZERO), "not started: nothing to wait for");
    loop.start();
    assertTrue(loop.join(WAIT));
    assertEquals(3, passes.get());
  }

  @Test
  void aTimerThatGoesOffBeforeThePassLetsGoIsNotLost() throws Exception {
    // The worst case of a short wait: the timer fires while the pass that booked it still holds
    // the loop (here always, synchronously), so its wake-up finds a pass running.
    AtomicInteger passes = new AtomicInteger();
    PassLoop loop = new PassLoop("t", () -> passes.incrementAndGet() < 5 ? 1 : PassLoop.END, () -> false,
        (millis, wake) -> {
          wake.run();
          return CompletableFuture.completedFuture(null);
        });
    loop.start();
    assertTrue(loop.join(WAIT), "stalled after pass " + passes.get());
    assertEquals(5, passes.get());
  }

  @Test
  void aPassThatThrowsEndsTheLoop() throws Exception {
    PassLoop loop = new PassLoop("t", () -> {
      throw new IllegalStateException("broken");
    }, () -> false);
    loop.start();
    assertTrue(loop.join(WAIT));
  }
}
