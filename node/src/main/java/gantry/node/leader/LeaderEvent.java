package gantry.node.leader;

import gantry.node.state.Changes;
import gantry.scheduler.Plan;
import gantry.v1.Evaluation;
import java.util.concurrent.CompletableFuture;

/**
 * What the leader's event loop reacts to. Each is posted by the thread that observed it (the
 * Raft apply thread, Ratis' notifications, gRPC threads, scheduler workers, the loop's own
 * timer) and handled, one at a time and in order, on the loop's thread.
 */
sealed interface LeaderEvent {
  /** Ratis says this peer leads and has applied its term's first entry ({@code notifyLeaderReady}). */
  record LeadershipGained() implements LeaderEvent {}

  /** Ratis says another peer (or none) leads now. */
  record LeadershipLost() implements LeaderEvent {}

  /** An entry was applied; what it touched. */
  record EntryApplied(Changes changes) implements LeaderEvent {}

  /** An agent opened its session stream; {@code acceptsDeltas}: it said so (SessionOpen). */
  record SessionOpened(String nodeId, AgentStream stream, boolean acceptsDeltas) implements LeaderEvent {}

  /** An agent's session stream ended. */
  record SessionClosed(String nodeId, AgentStream stream) implements LeaderEvent {}

  /** A sign of life from a node; {@code ack} asks for a heartbeat acknowledgement on its session. */
  record Heartbeat(String nodeId, boolean ack) implements LeaderEvent {}

  /** Allocation status waits in the {@link StatusBacklog} (at most one of these is queued at once). */
  record StatusWaiting() implements LeaderEvent {}

  /**
   * A worker's plan. {@code accepted} completes once the plan is in the scheduling view (so the
   * worker's next snapshot sees it) with the future of its commit.
   */
  record PlanReady(Evaluation eval, Plan plan, CompletableFuture<CompletableFuture<Long>> accepted)
      implements LeaderEvent {}

  /** A proposal the loop made finished: committed at {@code index}, or failed with {@code error}. */
  record ProposalDone(LeaderAction.Tag tag, long index, Throwable error) implements LeaderEvent {}

  /** The loop's timer: liveness deadlines are checked. */
  record Tick() implements LeaderEvent {}
}
