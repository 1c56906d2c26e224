package gantry.agent;

import static gantry.agent.Waits.waitFor;
import static org.junit.jupiter.api.Assertions.assertEquals;

import gantry.agent.session.ScriptedManager;
import gantry.v1.Allocation;
import gantry.v1.Assignment;
import gantry.v1.ClientStatus;
import gantry.v1.DesiredStatus;
import gantry.v1.GroupSpec;
import gantry.v1.TaskSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Many simulated nodes in one JVM on a few channels and one timer thread. */
class SimulationTest {
  /**
   * More nodes than a manager serves streams on one connection (1,000 by default): every session
   * opens (on one channel they stalled at the limit, and so did registrations and heartbeats).
   */
  @Test
  void moreNodesThanOneConnectionsStreamsAllOpenTheirSessions(@TempDir Path dir) throws Exception {
    int n = 1_200;
    try (ScriptedManager manager = new ScriptedManager();
        Agent sim = Agent.simulate(AgentConfig.of("big", List.of(manager.address()), dir), n)) {
      waitFor(n + " sessions", Duration.ofSeconds(60)).until(() -> manager.opens.size() >= n);
      assertEquals(n, new HashSet<>(manager.opens).size());
    }
  }

  @Test
  void manySimulatedNodesRegisterAndRunTheirAssignments(@TempDir Path dir) throws Exception {
    int n = 300;
    try (ScriptedManager manager = new ScriptedManager();
        Agent sim = Agent.simulate(AgentConfig.of("sim", List.of(manager.address()), dir), n)) {
      waitFor(n + " sessions", Duration.ofSeconds(20)).until(() -> manager.opens.size() == n);
      assertEquals(n, new HashSet<>(manager.opens).size());
      assertEquals(n, sim.members().size());
      assertEquals(List.of("docker", "exec"), manager.registrations.getFirst().getNode().getDriversList());
      int before = Thread.activeCount();
      for (int i = 0; i < 20; i++) {
        String node = manager.opens.get(i);
        manager.assign(node, List.of(Assignment.newBuilder()
            .setAllocation(Allocation.newBuilder().setId("alloc-" + i).setJob("j").setGroup("g")
                .setDesiredStatus(DesiredStatus.DESIRED_STATUS_RUN))
            .setGroup(GroupSpec.newBuilder().setName("g").addTasks(TaskSpec.newBuilder().setName("t")
                .setDriver("docker").setImage("local/busybox:1")))
            .build()));
      }
      waitFor("every allocation running", Duration.ofSeconds(20)).until(() -> {
        for (int i = 0; i < 20; i++) {
          var u = manager.latest("alloc-" + i);
          if (u == null || u.getClientStatus() != ClientStatus.CLIENT_STATUS_RUNNING) {
            return false;
          }
        }
        return true;
      });
      // Virtual threads run the allocations; platform threads do not grow with nodes or allocations.
      assertEquals(true, Thread.activeCount() <= before + 4, "platform threads: " + Thread.activeCount());
    }
  }
}
