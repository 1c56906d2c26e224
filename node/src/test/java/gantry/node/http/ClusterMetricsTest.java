package gantry.node.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gantry.v1.Allocation;
import gantry.v1.ClientStatus;
import gantry.v1.GroupSpec;
import gantry.v1.Job;
import gantry.v1.JobSpec;
import gantry.v1.JobStatus;
import gantry.v1.Node;
import gantry.v1.NodeStatus;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterMetricsTest {
  @Test
  void everyNodeStatusIsCountedZerosIncluded() {
    var counts = ClusterMetrics.nodes(List.of(node(NodeStatus.NODE_STATUS_READY), node(NodeStatus.NODE_STATUS_READY),
        node(NodeStatus.NODE_STATUS_DOWN)));
    assertEquals(Map.of("initializing", 0L, "ready", 2L, "down", 1L, "disconnected", 0L), counts);
  }

  @Test
  void allocationsByStatusAndByJobGroupStatus() {
    List<Allocation> allocs = List.of(alloc("web", "fe", ClientStatus.CLIENT_STATUS_RUNNING),
        alloc("web", "fe", ClientStatus.CLIENT_STATUS_RUNNING), alloc("web", "be", ClientStatus.CLIENT_STATUS_FAILED),
        alloc("db", "main", ClientStatus.CLIENT_STATUS_PENDING));
    assertEquals(Map.of("pending", 1L, "running", 2L, "complete", 0L, "failed", 1L, "lost", 0L),
        ClusterMetrics.allocations(allocs));
    assertEquals(Map.of(
        new ClusterMetrics.JobGroupStatus("web", "fe", "running"), 2L,
        new ClusterMetrics.JobGroupStatus("web", "be", "failed"), 1L,
        new ClusterMetrics.JobGroupStatus("db", "main", "pending"), 1L), ClusterMetrics.jobAllocations(allocs));
  }

  @Test
  void anUnexpectedStatusStillShows() {
    var counts = ClusterMetrics.allocations(List.of(Allocation.newBuilder().setClientStatusValue(99).build()));
    assertEquals(1L, counts.get("unrecognized"));
  }

  @Test
  void desiredAllocationsPerGroupZeroWhenStoppedAndNoneForSystemJobs() {
    Job web = job("web", "service", JobStatus.JOB_STATUS_RUNNING, "fe", 3, "be", 1);
    Job old = job("old", "batch", JobStatus.JOB_STATUS_STOPPED, "g", 2);
    Job logs = job("logs", "system", JobStatus.JOB_STATUS_RUNNING, "shipper", 0);
    assertEquals(Map.of(
        new ClusterMetrics.JobGroup("web", "fe"), 3L,
        new ClusterMetrics.JobGroup("web", "be"), 1L,
        new ClusterMetrics.JobGroup("old", "g"), 0L), ClusterMetrics.desiredAllocations(List.of(web, old, logs)));
  }

  private static Job job(String name, String type, JobStatus status, Object... groupsAndCounts) {
    JobSpec.Builder spec = JobSpec.newBuilder().setName(name).setType(type);
    for (int i = 0; i < groupsAndCounts.length; i += 2) {
      spec.addGroups(GroupSpec.newBuilder().setName((String) groupsAndCounts[i]).setCount((Integer) groupsAndCounts[i + 1]));
    }
    return Job.newBuilder().setName(name).setSpec(spec).setStatus(status).build();
  }

  private static Node node(NodeStatus s) {
    return Node.newBuilder().setStatus(s).build();
  }

  private static Allocation alloc(String job, String group, ClientStatus s) {
    return Allocation.newBuilder().setJob(job).setGroup(group).setClientStatus(s).build();
  }
}
