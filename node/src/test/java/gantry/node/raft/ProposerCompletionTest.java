package gantry.node.raft;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gantry.node.FreePorts;
import gantry.v1.GroupSpec;
import gantry.v1.JobRegistered;
import gantry.v1.JobSpec;
import gantry.v1.Record;
import gantry.v1.TaskSpec;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a caller chains on a proposal may block (the guard forces a write's audit line before it
 * answers), and must not hold up the other proposals' answers: concurrent writes then wait side by
 * side and share the audit log's forces. Real Ratis over gRPC and real RocksDB, one peer.
 */
class ProposerCompletionTest {
  @TempDir Path dir;

  private static Record register(String name) {
    JobSpec spec = JobSpec.newBuilder().setName(name).addGroups(GroupSpec.newBuilder().setName("g")
        .addTasks(TaskSpec.newBuilder().setName("t").setDriver("docker").setImage("busybox"))).build();
    return Record.newBuilder().setJobRegistered(JobRegistered.newBuilder().setSpec(spec).setTimeMs(1)).build();
  }

  @Test
  void aCallerThatBlocksInItsCompletionDoesNotHoldUpTheOtherProposals() throws Exception {
    RaftNode node = SinglePeer.start(dir, FreePorts.next());
    try {
      int writes = 8;
      // Each caller waits, in its completion, until every caller has been answered: possible only
      // if the answers do not wait for one another. Answered one after another, the callers wait
      // 20 s each in turn, past the 120 s below.
      CountDownLatch answered = new CountDownLatch(writes);
      AtomicInteger sawAllAnswered = new AtomicInteger();
      List<CompletableFuture<Void>> callers = new ArrayList<>();
      for (int i = 0; i < writes; i++) {
        callers.add(node.proposer().propose(List.of(register("job-" + i))).thenAccept(p -> {
          answered.countDown();
          try {
            if (answered.await(20, TimeUnit.SECONDS)) sawAllAnswered.incrementAndGet();
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }));
      }
      CompletableFuture.allOf(callers.toArray(CompletableFuture[]::new)).get(120, TimeUnit.SECONDS);
      assertEquals(writes, sawAllAnswered.get(), "callers that saw every write answered while they waited");
      for (int i = 0; i < writes; i++) {
        assertEquals(1, node.stateMachine().state().job("job-" + i).orElseThrow().getVersion(), "job-" + i);
      }
    } finally {
      node.close();
    }
  }
}
