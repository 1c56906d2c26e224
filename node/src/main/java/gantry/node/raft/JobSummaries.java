package gantry.node.raft;

import gantry.scheduler.AllocationRules;
import gantry.node.state.ClusterState;
import gantry.scheduler.ClusterSnapshot;
import gantry.v1.Allocation;
import gantry.v1.DesiredStatus;
import gantry.v1.GroupSpec;
import gantry.v1.GroupSummary;
import gantry.v1.Job;
import gantry.v1.JobStatus;
import gantry.v1.PlacementFailure;
import java.util.ArrayList;
import java.util.List;

/** Per-group counts for {@code job status}: desired, placed, running..., and why some are unplaced. */
final class JobSummaries {
  private JobSummaries() {}

  static List<GroupSummary> of(ClusterState state, Job job) {
    List<Allocation> allocs = state.allocsOfJob(job.getName());
    var failures = state.latestEval(job.getName()).map(e -> e.getFailedGroupsMap()).orElse(java.util.Map.of());
    List<GroupSummary> out = new ArrayList<>();
    for (GroupSpec g : job.getSpec().getGroupsList()) {
      GroupSummary.Builder b = GroupSummary.newBuilder().setGroup(g.getName());
      int desired = job.getStatus() != JobStatus.JOB_STATUS_RUNNING ? 0
          : "system".equals(job.getSpec().getType()) ? -1 : (g.hasCount() ? g.getCount() : 1);
      b.setDesired(desired);
      for (Allocation a : allocs) {
        if (!a.getGroup().equals(g.getName())) continue;
        if (AllocationRules.isLive(a)) b.setPlaced(b.getPlaced() + 1);
        if (a.getDesiredStatus() != DesiredStatus.DESIRED_STATUS_RUN) continue;
        switch (a.getClientStatus()) {
          case CLIENT_STATUS_RUNNING -> b.setRunning(b.getRunning() + 1);
          case CLIENT_STATUS_PENDING, CLIENT_STATUS_UNSPECIFIED -> b.setPending(b.getPending() + 1);
          case CLIENT_STATUS_FAILED -> b.setFailed(b.getFailed() + 1);
          case CLIENT_STATUS_COMPLETE -> b.setComplete(b.getComplete() + 1);
          case CLIENT_STATUS_LOST -> b.setLost(b.getLost() + 1);
          default -> { }
        }
      }
      if (desired == -1) b.setDesired(b.getPlaced());
      PlacementFailure f = failures.get(g.getName());
      if (f != null && job.getStatus() == JobStatus.JOB_STATUS_RUNNING) b.setUnplacedReason(f.getMessage());
      out.add(b.build());
    }
    return out;
  }
}
