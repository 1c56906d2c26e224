package gantry.node.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;

import gantry.node.control.ControlHandler;
import gantry.v1.GetStateDigestRequest;
import gantry.v1.GetStateDigestResponse;
import gantry.v1.ListAllocationsRequest;
import gantry.v1.ListDeploymentsRequest;
import gantry.v1.ListJobsRequest;
import gantry.v1.ListNodesRequest;
import java.util.concurrent.TimeUnit;

/**
 * The state as two observers see it, read before and after a refused write to show it changed
 * nothing: GetStateDigest (every key of the replicated store), and what a client lists (jobs,
 * nodes, allocations, deployments).
 *
 * <p>Why both: a write the handler refuses before proposing leaves the Raft log alone, and then
 * the digest must not move. A write the state machine refuses when it applies the entry (an
 * unknown job, group or version) was appended to the log, and applying it records the entry's
 * request id ({@code c/} keys, gantry.node.raft.RequestIds, which makes a retried request apply
 * once): the digest moves though no job, node, allocation or deployment did. So when the applied
 * index moved, the lists must be unchanged; when it did not, the digest must be.
 */
record Observed(String digest, long appliedIndex, String lists) {
  private static final long TIMEOUT_S = 10;

  static Observed of(ControlHandler control) throws Exception {
    GetStateDigestResponse d = control.digest(GetStateDigestRequest.getDefaultInstance()).get(TIMEOUT_S, TimeUnit.SECONDS);
    String lists = control.listJobs(ListJobsRequest.getDefaultInstance()).get(TIMEOUT_S, TimeUnit.SECONDS) + "\n"
        + control.listNodes(ListNodesRequest.getDefaultInstance()).get(TIMEOUT_S, TimeUnit.SECONDS) + "\n"
        + control.listAllocations(ListAllocationsRequest.getDefaultInstance()).get(TIMEOUT_S, TimeUnit.SECONDS) + "\n"
        + control.listDeployments(ListDeploymentsRequest.getDefaultInstance()).get(TIMEOUT_S, TimeUnit.SECONDS);
    return new Observed(d.getDigest(), d.getAppliedIndex(), lists);
  }

  /** Fails unless {@code after} shows the same state as this, as explained above. */
  void assertUnchangedBy(String refusedWrite, Observed after) {
    if (after.appliedIndex == appliedIndex) {
      assertEquals(digest, after.digest, "a write refused before Raft changed the state digest: " + refusedWrite);
    } else {
      assertEquals(lists, after.lists, "a write refused by the state machine changed what clients list: " + refusedWrite);
    }
  }
}
