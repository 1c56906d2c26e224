package gantry.agent.runner;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.agent.driver.TaskHandle;
import gantry.agent.runner.RestartPolicy.Mode;
import gantry.v1.Allocation;
import gantry.v1.Assignment;
import gantry.v1.GroupSpec;
import gantry.v1.TaskSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AllocationStoreTest {
  @Test
  void roundTripsAssignmentRunsAndHandles(@TempDir Path dir) throws Exception {
    Instant t = Instant.parse("2026-01-01T00:00:00Z");
    Assignment a = Assignment.newBuilder().setAllocation(Allocation.newBuilder().setId("alloc-1").setJob("j"))
        .setGroup(GroupSpec.newBuilder().setName("g").addTasks(TaskSpec.newBuilder().setName("web"))
            .addTasks(TaskSpec.newBuilder().setName("side"))).build();
    var policy = new RestartPolicy(3, Duration.ofSeconds(1), Duration.ofMinutes(1), Mode.FAIL);
    TaskRun web = TaskRun.pending("web", true).apply(new TaskEvent.Started(t), policy)
        .apply(new TaskEvent.Exited(1, t.plusSeconds(1)), policy);
    TaskRun side = TaskRun.pending("side", false).apply(new TaskEvent.Started(t), policy)
        .apply(new TaskEvent.Exited(0, t.plusSeconds(2)), policy);
    Map<String, TaskRun> runs = new LinkedHashMap<>();
    runs.put("web", web);
    runs.put("side", side);
    var handle = new TaskHandle("exec", "alloc-1/web", "alloc-1", "web", t);
    AllocationStore store = AllocationStore.in(dir);
    store.save(new AllocationStore.Saved(a, runs, Map.of("web", handle), "desc"));
    var loaded = store.loadAll();
    assertEquals(1, loaded.size());
    assertEquals(new AllocationStore.Saved(a, runs, Map.of("web", handle), "desc"), loaded.getFirst());
    var health = gantry.v1.DeployHealth.newBuilder().setStatus("healthy").setReason("every task running for 10s")
        .setTimeMs(t.plusSeconds(10).toEpochMilli()).build();
    store.save(new AllocationStore.Saved(a, runs, Map.of("web", handle), "desc", t, health));
    assertEquals(new AllocationStore.Saved(a, runs, Map.of("web", handle), "desc", t, health),
        store.loadAll().getFirst(), "with the deploy start and health");
    Files.writeString(dir.resolve("allocs/broken.properties"), "assignment=!!!");
    assertEquals(1, store.loadAll().size());
    store.delete("alloc-1");
    assertTrue(store.loadAll().isEmpty());
    assertTrue(AllocationStore.none().loadAll().isEmpty());
  }
}
