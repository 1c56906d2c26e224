package gantry.node.live;

import gantry.node.control.ControlException;
import gantry.node.control.ControlException.Code;
import gantry.node.control.NotLeaderException;
import gantry.node.state.ClusterState;
import gantry.v1.Allocation;
import gantry.v1.GetAllocLogsRequest;
import gantry.v1.GetAllocLogsResponse;
import gantry.v1.GetLiveMetricsResponse;
import gantry.v1.NotLeaderDetail;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The user requests answered from what only the leader knows: live metrics and task logs. A
 * follower refuses with {@link NotLeaderException} (FAILED_PRECONDITION with the leader as a typed
 * status detail), the same convention as agent registration, and the client asks that address.
 */
public final class LiveQueries {
  public static final Duration LOGS_TIMEOUT = Duration.ofSeconds(15);
  static final int DEFAULT_TAIL = 100;
  static final int MAX_TAIL = 10_000;

  private final BooleanSupplier leading;
  private final Supplier<NotLeaderDetail> leader;
  private final Supplier<ClusterState> state;
  private final LiveMetrics metrics;
  private final AgentLogs logs;

  /** {@code leader}: who leads as this peer knows it, for the refusal of a follower. */
  public LiveQueries(BooleanSupplier leading, Supplier<NotLeaderDetail> leader, Supplier<ClusterState> state,
      LiveMetrics metrics, AgentLogs logs) {
    this.leading = leading;
    this.leader = leader;
    this.state = state;
    this.metrics = metrics;
    this.logs = logs;
  }

  public GetLiveMetricsResponse metrics() {
    requireLeader();
    return metrics.snapshot();
  }

  public CompletableFuture<GetAllocLogsResponse> logs(GetAllocLogsRequest req) {
    if (req.getAllocation().isBlank()) throw new ControlException(Code.INVALID_ARGUMENT, "allocation: is required");
    if (req.getTailLines() < 0 || req.getTailLines() > MAX_TAIL) {
      throw new ControlException(Code.INVALID_ARGUMENT, "tail_lines: must be 0.." + MAX_TAIL + " (0 = "
          + DEFAULT_TAIL + "), got " + req.getTailLines());
    }
    requireLeader();
    Allocation a = resolve(req.getAllocation());
    String node = a.getNodeName().isEmpty() ? a.getNodeId() : a.getNodeName();
    if (!logs.connected(a.getNodeId())) {
      throw new ControlException(Code.UNAVAILABLE, "node " + node + " of allocation " + a.getId()
          + " has no session with the leader (down or disconnected); its logs cannot be read now");
    }
    int tail = req.getTailLines() == 0 ? DEFAULT_TAIL : req.getTailLines();
    return logs.request(a.getNodeId(), a.getId(), req.getTask(), tail, LOGS_TIMEOUT).handle((r, t) -> {
      if (t != null) {
        Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        String why = c instanceof TimeoutException ? "did not answer within " + LOGS_TIMEOUT.toSeconds() + " s"
            : c.getMessage();
        throw new ControlException(Code.UNAVAILABLE, "agent on node " + node + ": " + why);
      }
      if (!r.getError().isEmpty()) throw new ControlException(Code.FAILED_PRECONDITION, r.getError());
      return GetAllocLogsResponse.newBuilder().setAllocationId(a.getId()).setTask(r.getTask())
          .setNodeName(node).setText(r.getText()).build();
    });
  }

  /** An allocation by id or by a prefix matching exactly one. */
  private Allocation resolve(String idOrPrefix) {
    ClusterState s = state.get();
    var exact = s.alloc(idOrPrefix);
    if (exact.isPresent()) return exact.get();
    List<Allocation> matches = s.allocs().stream().filter(a -> a.getId().startsWith(idOrPrefix)).limit(5).toList();
    if (matches.isEmpty()) throw new ControlException(Code.NOT_FOUND, "allocation \"" + idOrPrefix + "\" not found");
    if (matches.size() > 1) {
      throw new ControlException(Code.INVALID_ARGUMENT, "allocation: prefix \"" + idOrPrefix
          + "\" matches more than one allocation (" + String.join(", ", matches.stream().map(Allocation::getId).toList())
          + (matches.size() == 5 ? ", ..." : "") + "); give more characters");
    }
    return matches.getFirst();
  }

  private void requireLeader() {
    if (!leading.getAsBoolean()) {
      throw new NotLeaderException(leader.get());
    }
  }
}
