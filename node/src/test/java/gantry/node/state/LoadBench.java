package gantry.node.state;

import gantry.node.raft.TestBatchMutations;
import gantry.node.store.StateStore;
import gantry.v1.Allocation;
import gantry.v1.ClientStatus;
import gantry.v1.DesiredStatus;
import gantry.v1.EvalStatus;
import gantry.v1.GroupSpec;
import gantry.v1.JobRegistered;
import gantry.v1.JobSpec;
import gantry.v1.PlanApplied;
import gantry.v1.Resources;
import gantry.v1.TaskSpec;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import org.rocksdb.WriteBatch;

/**
 * What a restarted manager's state costs to load (scripts/bench/load.sh): {@code write DIR JOBS
 * REPLICAS NODES} replays JOBS jobs of REPLICAS placed allocations each over NODES nodes into a
 * RocksDB store in DIR, as a peer applies them; {@code load DIR} loads it as a starting peer does
 * and prints the time ({@code load_ms}) and the heap the loaded state holds after full
 * collections ({@code load_heap_mb}).
 */
public final class LoadBench {
  private LoadBench() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[1]);
    if (args[0].equals("write")) {
      write(dir, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
      return;
    }
    try (StateStore store = StateStore.open(dir)) {
      long t0 = System.nanoTime();
      ClusterState s = ClusterState.load(store);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      for (int i = 0; i < 3; i++) System.gc();
      long used = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
      System.out.printf("load_ms=%d load_heap_mb=%d allocations=%d jobs=%d%n", ms, used >> 20, s.allocs().size(), s.jobs("").size());
      System.out.printf("gc_check_ms=%d%n", gcCheckMs(s));
    }
  }

  /**
   * What the GC's once-a-minute check costs the leader's loop on this state: the median of 20
   * selections after 10 to warm up. Nothing here is collectable, so it is the scan of every
   * evaluation, allocation, deployment, job version, job and node that each check makes.
   */
  private static long gcCheckMs(ClusterState s) {
    long[] ms = new long[30];
    for (int i = 0; i < ms.length; i++) {
      long t0 = System.nanoTime();
      GarbageSelection.select(s, System.currentTimeMillis(), GarbageSelection.ANY_AGE, 1);
      ms[i] = (System.nanoTime() - t0) / 1_000_000;
    }
    long[] warm = java.util.Arrays.copyOfRange(ms, 10, ms.length);
    java.util.Arrays.sort(warm);
    return warm[warm.length / 2];
  }

  private static void write(Path dir, int jobs, int replicas, int nodes) throws Exception {
    ClusterState state = new ClusterState();
    long index = 0;
    try (StateStore store = StateStore.open(dir)) {
      try (WriteBatch wb = new WriteBatch()) {
        for (int n = 0; n < nodes; n++) {
          state.replay(SchedulingReplayTest.node("n" + n, 1_000_000, 1_000_000), ++index, new TestBatchMutations(wb), new Changes());
        }
        store.write(wb);
      }
      for (int j = 0; j < jobs; j++) {
        try (WriteBatch wb = new WriteBatch()) {
          var out = new TestBatchMutations(wb);
          // The scheduler benchmark's job (SchedulerBench.spec).
          JobSpec spec = JobSpec.newBuilder().setName("job-" + j).setType("service").addGroups(GroupSpec.newBuilder().setName("g")
              .setCount(replicas).addTasks(TaskSpec.newBuilder().setName("t").setDriver("exec").addCommand("sleep").addCommand("3600")
                  .setResources(Resources.newBuilder().setCpu(100).setMemory(64)))).build();
          Changes c = new Changes();
          state.replay(ClusterStateTest.register(spec, j), ++index, out, c);
          PlanApplied.Builder plan = PlanApplied.newBuilder().setEvalId(c.readyEvals().iterator().next())
              .setEvalStatus(EvalStatus.EVAL_STATUS_COMPLETE);
          for (int r = 0; r < replicas; r++) {
            plan.addPlaced(Allocation.newBuilder().setId("job-" + j + "-" + r).setJob("job-" + j).setJobVersion(1).setGroup("g")
                .setNodeId("n" + ((j * replicas + r) % nodes)).setDesiredStatus(DesiredStatus.DESIRED_STATUS_RUN)
                .setClientStatus(ClientStatus.CLIENT_STATUS_PENDING).setResources(Resources.newBuilder().setCpu(100).setMemory(64)));
          }
          state.replay(gantry.v1.Record.newBuilder().setPlanApplied(plan).build(), ++index, out, new Changes());
          store.write(wb);
        }
      }
    }
    System.out.printf("wrote %d jobs, %d allocations, %d nodes%n", state.jobs("").size(), state.allocs().size(), nodes);
  }
}
