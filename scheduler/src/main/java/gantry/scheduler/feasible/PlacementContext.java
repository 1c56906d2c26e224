package gantry.scheduler.feasible;

import gantry.scheduler.ClusterSnapshot;
import gantry.scheduler.GroupAsk;
import gantry.scheduler.Seed;
import gantry.scheduler.UsageLedger;
import gantry.v1.GroupSpec;
import gantry.v1.JobSpec;

/**
 * Everything a filter or ranker may look at while placing one task group: the snapshot, the
 * plan's usage so far, the group's ask, and how many of the group's allocations each node
 * holds (kept plus placed in this plan).
 *
 * @param desiredCount the group's replica count (for system jobs: the number of target nodes)
 */
public record PlacementContext(ClusterSnapshot snapshot, UsageLedger ledger, JobSpec job,
    GroupSpec group, GroupAsk ask, int[] groupCount, int desiredCount, Seed seed) {

  public int collisions(int node) {
    return groupCount[node];
  }
}
