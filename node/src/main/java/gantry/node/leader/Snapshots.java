package gantry.node.leader;

import gantry.node.state.ClusterState;
import gantry.scheduler.ClusterSnapshot;

/** Builds the scheduler's read-only view of the applied state. */
final class Snapshots {
  private final java.util.function.LongSupplier appliedIndex;

  Snapshots(java.util.function.LongSupplier appliedIndex) {
    this.appliedIndex = appliedIndex;
  }

  ClusterSnapshot of(ClusterState state) {
    return ClusterSnapshot.of(appliedIndex.getAsLong(), state.nodes(), state.allJobs(), state.allocs());
  }
}
