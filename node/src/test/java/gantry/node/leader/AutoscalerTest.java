package gantry.node.leader;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.MessageLite;
import gantry.node.state.Changes;
import gantry.node.state.ClusterState;
import gantry.node.state.Mutations;
import gantry.v1.Allocation;
import gantry.v1.AllocationMetrics;
import gantry.v1.AllocationStatusUpdate;
import gantry.v1.AllocationsUpdated;
import gantry.v1.ClientStatus;
import gantry.v1.DesiredStatus;
import gantry.v1.EvalStatus;
import gantry.v1.GroupSpec;
import gantry.v1.JobRegistered;
import gantry.v1.JobScaled;
import gantry.v1.JobSpec;
import gantry.v1.PlanApplied;
import gantry.v1.Record;
import gantry.v1.Resources;
import gantry.v1.ScalingPolicy;
import gantry.v1.TaskSpec;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The leader's autoscaler between the live reports and the log, on the real replicated state
 * (no Raft): what it proposes, from which count, and that it proposes once until the outcome.
 */
class AutoscalerTest {
  private final ClusterState state = new ClusterState();
  private final Map<String, AllocationMetrics> reports = new HashMap<>();
  private final Autoscaler autoscaler = new Autoscaler();
  private long index;

  private void apply(Record r) {
    state.replay(r, ++index, new Mutations() {
      @Override
      public void put(String key, MessageLite value) {}

      @Override
      public void delete(String key) {}
    }, new Changes());
  }

  private void runningJob(int count) {
    GroupSpec g = GroupSpec.newBuilder().setName("g").setCount(count)
        .setScaling(ScalingPolicy.newBuilder().setMin(1).setMax(3).setScaleOutAbove(80).setScaleInBelow(30).setStep(1)
            .setWindowMs(10_000).setCooldownMs(10_000).setScaleInStabilizationMs(10_000))
        .addTasks(TaskSpec.newBuilder().setName("t").setDriver("exec").addCommand("x")
            .setResources(Resources.newBuilder().setCpu(200).setMemory(64)))
        .build();
    apply(Record.newBuilder().setNodeRegistered(gantry.v1.NodeRegistered.newBuilder().setNode(gantry.v1.Node.newBuilder()
        .setId("n1").setName("n1").setCapacity(Resources.newBuilder().setCpu(4000).setMemory(4096)))).build());
    apply(Record.newBuilder().setJobRegistered(JobRegistered.newBuilder()
        .setSpec(JobSpec.newBuilder().setName("burn").addGroups(g))).build());
    PlanApplied.Builder plan = PlanApplied.newBuilder().setEvalId("e").setEvalStatus(EvalStatus.EVAL_STATUS_COMPLETE);
    for (int i = 0; i < count; i++) {
      plan.addPlaced(Allocation.newBuilder().setId("a" + i).setJob("burn").setJobVersion(1).setGroup("g").setIndex(i)
          .setNodeId("n1").setGroupSpec(g).setDesiredStatus(DesiredStatus.DESIRED_STATUS_RUN)
          .setClientStatus(ClientStatus.CLIENT_STATUS_PENDING).setResources(Resources.newBuilder().setCpu(200).setMemory(64)));
    }
    apply(Record.newBuilder().setPlanApplied(plan).build());
    AllocationsUpdated.Builder up = AllocationsUpdated.newBuilder();
    for (int i = 0; i < count; i++) {
      up.addUpdates(AllocationStatusUpdate.newBuilder().setAllocationId("a" + i).setClientStatus(ClientStatus.CLIENT_STATUS_RUNNING));
    }
    apply(Record.newBuilder().setAllocationsUpdated(up).build());
  }

  /** Each allocation reports {@code cpuPercent} (100 = a core) every second from 0 to {@code untilMs}; the proposals made. */
  private List<LeaderAction> load(double cpuPercent, long fromMs, long untilMs) {
    List<LeaderAction> out = new java.util.ArrayList<>();
    for (long t = fromMs; t <= untilMs; t += 1000) {
      for (Allocation a : state.allocs()) {
        reports.put(a.getId(), AllocationMetrics.newBuilder().setCpuPercent(cpuPercent).setMemoryMb(10).setTimeMs(t).build());
      }
      out.addAll(autoscaler.check(state, id -> Optional.ofNullable(reports.get(id)), t));
    }
    return out;
  }

  @Test
  void sustainedLoadIsOneScaleOutFromTheCountItSaw() {
    runningJob(1);
    // 40 % of a core on 200 millicores reserved: 200 %.
    List<LeaderAction> actions = load(40, 1_000, 20_000);
    assertEquals(1, actions.size(), "one decision in flight at a time: " + actions);
    var p = (LeaderAction.Propose) actions.getFirst();
    JobScaled s = p.records().getFirst().getJobScaled();
    assertTrue(s.getAutoscaler());
    assertEquals(2, s.getCount());
    assertEquals(1, s.getExpectedCount());
    assertTrue(s.getReason().matches("cpu \\d+% > 80% for 10s"), s.getReason());
    assertEquals(new LeaderAction.Autoscale("burn/g"), p.tag());

    autoscaler.done(new LeaderAction.Autoscale("burn/g"), new RuntimeException("lost"));
    assertEquals(1, load(40, 21_000, 21_000).size(), "a decision that was not committed is made again");
  }

  @Test
  void aGroupAtRestOrWithoutReportsIsLeftAlone() {
    runningJob(2);
    assertEquals(List.of(), load(10, 1_000, 5_000), "reports span 5s of the 10s window");
    reports.clear();
    assertEquals(List.of(), autoscaler.check(state, id -> Optional.empty(), 60_000), "no reports: no decision");
  }
}
