package gantry.agent.session;

import gantry.v1.AllocationStatusUpdate;
import gantry.v1.Assignments;
import gantry.v1.LogsReply;
import gantry.v1.LogsRequest;
import gantry.v1.NodeMetrics;
import java.util.List;

/** What the session hands its messages to, and asks for what it sends up: the allocation side. */
public interface SessionHandler {

  /**
   * The desired allocations of the node, as the leader sent them, in the order sent: the whole
   * set (always the first of a session), or with {@link Assignments#getDelta()} set only what
   * changed since the previous message (the session says it accepts those when it opens).
   */
  void onAssignments(Assignments assignments);

  /** The current status of every allocation held, sent in full after each (re)connect. */
  List<AllocationStatusUpdate> currentStatus();

  /** Node totals for the next heartbeat. */
  NodeMetrics nodeMetrics();

  /**
   * A task's logs, asked for by a user through the leader. Called on a thread of its own (it may
   * block on the driver); the session fills in the request id.
   */
  default LogsReply logs(LogsRequest request) {
    return LogsReply.newBuilder().setError("this agent does not serve logs").build();
  }
}
