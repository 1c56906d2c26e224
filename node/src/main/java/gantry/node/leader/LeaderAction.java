package gantry.node.leader;

import gantry.v1.Evaluation;
import gantry.v1.ManagerMessage;
import gantry.v1.Record;
import java.util.List;

/**
 * What a handler of the leader's loop decided, for the loop's driver to carry out: records to
 * propose through Raft, messages to send on agent sessions, sessions to close. Handlers never
 * do I/O themselves.
 */
sealed interface LeaderAction {
  /** Propose {@code records} as one request; its outcome comes back as a ProposalDone with {@code tag}. */
  record Propose(List<Record> records, Tag tag) implements LeaderAction {}

  record Send(AgentStream to, ManagerMessage message) implements LeaderAction {}

  record Close(AgentStream stream) implements LeaderAction {}

  /** Says which handler a finished proposal belongs to. */
  sealed interface Tag {}

  /** No handler waits for the outcome. */
  record Untracked() implements Tag {}

  /**
   * Status reports proposed by {@link StatusCommits}, of its {@code epoch} (one leadership): it
   * keeps a bound on how many are in flight. A failed one is not retried: an agent sends its
   * allocations' status again with their next metrics, and everything on a new session.
   */
  record StatusCommit(long epoch) implements Tag {}

  /**
   * A node's status change proposed by the heartbeat monitor.
   *
   * @param missedDeadline the deadline the node missed (DOWN), or -1 (READY)
   */
  record NodeMark(String nodeId, long missedDeadline) implements Tag {}

  /** A decision of the autoscaler for one group ({@code job/group}). */
  record Autoscale(String group) implements Tag {}

  /**
   * A record of the GC ({@link StateGc}).
   *
   * @param what how many of each kind it lists, for the log: "3 evaluations, 2 allocations, 0 jobs, ..."
   */
  record CollectGarbage(String what) implements Tag {}

  /** A plan accepted by the plan applier. */
  record PlanCommit(Evaluation eval, int placed, int refused, long proposedNanos) implements Tag {}
}
