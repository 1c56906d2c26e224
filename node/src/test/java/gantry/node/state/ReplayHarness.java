package gantry.node.state;

import gantry.v1.Record;

/** A state replayed record by record, each at the next index, for the replay tests. */
abstract class ReplayHarness {
  ClusterState state = new ClusterState();
  ClusterStateTest.MapMutations out = new ClusterStateTest.MapMutations();
  long index = 0;
  /** What the record applied last answered. */
  gantry.v1.RecordOutcome outcome;

  Changes apply(Record r) {
    Changes c = new Changes();
    outcome = state.replay(r, ++index, out, c);
    return c;
  }
}
