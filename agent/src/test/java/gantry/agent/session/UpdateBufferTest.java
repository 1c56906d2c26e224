package gantry.agent.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.AllocationStatusUpdate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class UpdateBufferTest {
  static AllocationStatusUpdate update(String id, int seq) {
    return AllocationStatusUpdate.newBuilder().setAllocationId(id).setDescription(Integer.toString(seq)).build();
  }

  static int seq(AllocationStatusUpdate u) {
    return Integer.parseInt(u.getDescription());
  }

  @Test
  void theNewestUpdateOfAnAllocationKeepsItsFirstPlace() {
    var buffer = new UpdateBuffer();
    buffer.put(update("a", 1));
    buffer.put(update("b", 1));
    buffer.put(update("a", 2));
    assertEquals(2, buffer.size());
    assertEquals(List.of(update("a", 2), update("b", 1)), buffer.drain());
    assertEquals(List.of(), buffer.drain());
    buffer.put(update("b", 2));
    assertEquals(List.of(update("b", 2)), buffer.drain());
  }

  /** Allocations' threads put while the session drains: nothing is lost, nothing goes back in time. */
  @Test
  void concurrentPutsAndDrainsEndWithEveryAllocationsNewestUpdate() throws Exception {
    var buffer = new UpdateBuffer();
    int threads = 8;
    int allocations = 20;
    int updates = 2000;
    List<AllocationStatusUpdate> sent = new ArrayList<>();
    AtomicBoolean done = new AtomicBoolean();
    Thread drainer = Thread.ofPlatform().start(() -> {
      while (!done.get()) sent.addAll(buffer.drain());
    });
    List<Thread> writers = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int thread = t;
      writers.add(Thread.ofVirtual().start(() -> {
        for (int s = 1; s <= updates; s++) {
          for (int a = 0; a < allocations; a++) buffer.put(update(thread + "-" + a, s));
        }
      }));
    }
    for (Thread w : writers) w.join();
    done.set(true);
    drainer.join();
    sent.addAll(buffer.drain());
    Map<String, Integer> last = new HashMap<>();
    for (AllocationStatusUpdate u : sent) {
      Integer before = last.put(u.getAllocationId(), seq(u));
      assertTrue(before == null || before < seq(u), u.getAllocationId() + ": " + seq(u) + " after " + before);
    }
    assertEquals(threads * allocations, last.size());
    last.forEach((id, s) -> assertEquals(updates, s, id));
    assertEquals(0, buffer.size());
  }
}
