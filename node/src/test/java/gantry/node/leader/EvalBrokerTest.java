package gantry.node.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import gantry.v1.Evaluation;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class EvalBrokerTest {
  static Evaluation eval(String id, String job, int priority, long index) {
    return Evaluation.newBuilder().setId(id).setJob(job).setPriority(priority).setCreateIndex(index).build();
  }

  @Test
  void highestPriorityThenOldestFirst() throws Exception {
    EvalBroker b = new EvalBroker();
    b.open(List.of(eval("e1", "a", 50, 1), eval("e2", "b", 80, 2), eval("e3", "c", 50, 0)));
    assertEquals("e2", b.take().getId());
    assertEquals("e3", b.take().getId());
    assertEquals("e1", b.take().getId());
  }

  @Test
  void oneEvaluationPerJobAtATime() throws Exception {
    EvalBroker b = new EvalBroker();
    b.open(List.of(eval("e1", "a", 50, 1), eval("e2", "a", 50, 2)));
    Evaluation first = b.take();
    CompletableFuture<Evaluation> second = CompletableFuture.supplyAsync(() -> {
      try {
        return b.take();
      } catch (InterruptedException e) {
        return null;
      }
    });
    try {
      assertNull(second.get(300, TimeUnit.MILLISECONDS), "must not hand out a second evaluation of job a");
    } catch (TimeoutException expected) {
      // blocked, as it should be
    }
    b.done(first);
    assertEquals("e2", second.get(5, TimeUnit.SECONDS).getId());
  }

  @Test
  void duplicatesAreDeliveredOnceAndClosingDropsEverything() throws Exception {
    EvalBroker b = new EvalBroker();
    b.open(List.of());
    b.enqueue(eval("e1", "a", 50, 1));
    b.enqueue(eval("e1", "a", 50, 1));
    assertEquals(1, b.size());
    b.close();
    b.enqueue(eval("e2", "b", 50, 1));
    assertEquals(0, b.size());
  }

  @Test
  void anEvaluationThatWaitsIsHeldUntilItsTime() throws Exception {
    long[] now = {1_000};
    EvalBroker b = new EvalBroker(() -> now[0]);
    b.open(List.of(eval("later", "a", 90, 1).toBuilder().setWaitUntilMs(5_000).build(), eval("now", "b", 50, 2)));
    assertEquals("now", b.take().getId(), "a waiting evaluation does not hold up others, whatever its priority");
    CompletableFuture<Evaluation> waiting = CompletableFuture.supplyAsync(() -> {
      try {
        return b.take();
      } catch (InterruptedException e) {
        return null;
      }
    });
    try {
      assertNull(waiting.get(300, TimeUnit.MILLISECONDS), "must wait until 5,000");
    } catch (TimeoutException expected) {
      // held, as it should be
    }
    now[0] = 5_000;
    assertEquals("later", waiting.get(5, TimeUnit.SECONDS).getId());
  }
}
