package gantry.node.live;

import gantry.v1.LogsReply;
import gantry.v1.LogsRequest;
import gantry.v1.ManagerMessage;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Asks agents for task logs over their open session streams and matches the answers to the
 * requests by id. The leader holds no logs; each request is one round trip to the agent.
 *
 * <p>Sends on a stream happen under the stream's own monitor, as the dispatcher's do (a gRPC
 * stream is not thread-safe).
 */
public final class AgentLogs {
  private record Pending(String nodeId, CompletableFuture<LogsReply> reply) {}

  private final Map<String, StreamObserver<ManagerMessage>> sessions = new ConcurrentHashMap<>();
  private final Map<String, Pending> pending = new ConcurrentHashMap<>();

  /** A node's session opened on this peer. */
  public void opened(String nodeId, StreamObserver<ManagerMessage> stream) {
    sessions.put(nodeId, stream);
  }

  /** A node's session ended: its unanswered requests fail now rather than at their timeout. */
  public void closed(String nodeId, StreamObserver<ManagerMessage> stream) {
    if (!sessions.remove(nodeId, stream)) return;
    pending.values().removeIf(p -> {
      if (!p.nodeId().equals(nodeId)) return false;
      p.reply().completeExceptionally(new AgentUnavailableException("the session of the allocation's node ended"));
      return true;
    });
  }

  public boolean connected(String nodeId) {
    return sessions.containsKey(nodeId);
  }

  /** An answer from node {@code nodeId}; one for a request it was not sent is ignored. */
  public void reply(String nodeId, LogsReply reply) {
    Pending p = pending.get(reply.getRequestId());
    if (p != null && p.nodeId().equals(nodeId) && pending.remove(reply.getRequestId(), p)) {
      p.reply().complete(reply);
    }
  }

  /**
   * Asks node {@code nodeId} for the last {@code tailLines} lines of a task. Fails with
   * {@link AgentUnavailableException} when the node has no session, its session ends, or it
   * does not answer within {@code timeout}.
   */
  public CompletableFuture<LogsReply> request(String nodeId, String allocationId, String task, int tailLines,
      Duration timeout) {
    StreamObserver<ManagerMessage> stream = sessions.get(nodeId);
    if (stream == null) {
      return CompletableFuture.failedFuture(new AgentUnavailableException("the allocation's node has no session"));
    }
    String id = UUID.randomUUID().toString();
    CompletableFuture<LogsReply> reply = new CompletableFuture<>();
    pending.put(id, new Pending(nodeId, reply));
    ManagerMessage m = ManagerMessage.newBuilder().setLogsRequest(LogsRequest.newBuilder().setRequestId(id)
        .setAllocationId(allocationId).setTask(task).setTailLines(tailLines)).build();
    try {
      synchronized (stream) {
        stream.onNext(m);
      }
    } catch (RuntimeException e) {
      pending.remove(id);
      return CompletableFuture.failedFuture(new AgentUnavailableException("the allocation's node session is closing"));
    }
    return reply.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((r, t) -> pending.remove(id));
  }

  /** The agent cannot be asked (no session, session ended, no answer in time). */
  public static final class AgentUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    AgentUnavailableException(String message) {
      super(message);
    }
  }
}
