package gantry.node.rpc;

import gantry.node.control.NotLeaderException;
import gantry.node.guard.AgentAdmission;
import gantry.node.guard.Identity;
import gantry.node.leader.AgentStream;
import gantry.node.leader.Leader;
import gantry.node.live.AgentLogs;
import gantry.node.live.LiveMetrics;
import gantry.node.live.UpdateFilter;
import gantry.node.raft.Proposer;
import gantry.v1.AgentMessage;
import gantry.v1.DispatcherServiceGrpc;
import gantry.v1.ManagerMessage;
import gantry.v1.Node;
import gantry.v1.NodeRegistered;
import gantry.v1.NotLeader;
import gantry.v1.NotLeaderDetail;
import gantry.v1.Record;
import gantry.v1.RegisterNodeRequest;
import gantry.v1.RegisterNodeResponse;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

/** The gRPC face of the dispatcher: agents register and hold their session here (leader only). */
public final class DispatcherService extends DispatcherServiceGrpc.DispatcherServiceImplBase {
  private final Leader leader;
  private final Proposer proposer;
  private final Clock clock;
  private final Supplier<NotLeaderDetail> leaderHint;
  private final LiveMetrics metrics;
  private final AgentLogs logs;
  private final UpdateFilter filter;
  private final AgentAdmission admission;

  /**
   * {@code leaderHint}: who leads as this peer knows it, for the refusal of a follower;
   * {@code metrics} and {@code logs}: the leader's unreplicated view of the agents (gantry.node.live).
   */
  public DispatcherService(Leader leader, Proposer proposer, Clock clock, Supplier<NotLeaderDetail> leaderHint,
      LiveMetrics metrics, AgentLogs logs, UpdateFilter filter) {
    this(leader, proposer, clock, leaderHint, metrics, logs, filter, AgentAdmission.open());
  }

  /** {@code admission}: who may register which node and open its session (with mTLS, by certificate name). */
  public DispatcherService(Leader leader, Proposer proposer, Clock clock, Supplier<NotLeaderDetail> leaderHint,
      LiveMetrics metrics, AgentLogs logs, UpdateFilter filter, AgentAdmission admission) {
    this.admission = admission;
    this.leader = leader;
    this.proposer = proposer;
    this.clock = clock;
    this.leaderHint = leaderHint;
    this.metrics = metrics;
    this.logs = logs;
    this.filter = filter;
  }

  @Override
  public void register(RegisterNodeRequest req, StreamObserver<RegisterNodeResponse> out) {
    if (!leader.isLeading()) {
      out.onError(Statuses.of(new NotLeaderException(leaderHint.get())));
      return;
    }
    Node n = req.getNode();
    if (n.getId().isBlank() || n.getName().isBlank()) {
      out.onError(Status.INVALID_ARGUMENT.withDescription("node.id and node.name are required").asRuntimeException());
      return;
    }
    var refused = admission.refuseRegister(Identity.current(), n.getId(), n.getName());
    if (refused.isPresent()) {
      out.onError(Status.PERMISSION_DENIED.withDescription(refused.get()).asRuntimeException());
      return;
    }
    Record r = Record.newBuilder().setNodeRegistered(NodeRegistered.newBuilder().setNode(n).setTimeMs(clock.millis())).build();
    proposer.propose(List.of(r)).whenComplete((p, err) -> {
      if (err != null) {
        out.onError(Statuses.of(err));
        return;
      }
      leader.heartbeat(n.getId(), false);
      out.onNext(RegisterNodeResponse.newBuilder().setNodeId(n.getId())
          .setHeartbeatTtlMs(leader.heartbeatTtlMs()).build());
      out.onCompleted();
    });
  }

  @Override
  public StreamObserver<AgentMessage> session(StreamObserver<ManagerMessage> out) {
    AgentStream stream = AgentStream.of(out);
    Identity caller = Identity.current();
    return new StreamObserver<>() {
      private String nodeId;
      private boolean refused;

      @Override
      public void onNext(AgentMessage m) {
        if (refused) return;
        if (!leader.isLeading()) {
          stream.send(ManagerMessage.newBuilder()
              .setNotLeader(NotLeader.newBuilder().setLeaderGrpcAddress(leaderHint.get().getLeaderGrpcAddress())).build());
          stream.close();
          return;
        }
        switch (m.getKindCase()) {
          case OPEN -> {
            var refusal = admission.refuseSession(caller, m.getOpen().getNodeId());
            if (refusal.isPresent()) {
              refused = true;
              synchronized (out) {
                out.onError(Status.PERMISSION_DENIED.withDescription(refusal.get()).asRuntimeException());
              }
              return;
            }
            nodeId = m.getOpen().getNodeId();
            leader.sessionOpened(nodeId, stream, m.getOpen().getAcceptsDeltas());
            logs.opened(nodeId, out);
          }
          case HEARTBEAT -> {
            if (nodeId != null) {
              metrics.node(nodeId, m.getHeartbeat().getMetrics());
              leader.heartbeat(nodeId, true);
            }
          }
          case UPDATES -> {
            if (nodeId != null) {
              metrics.allocations(m.getUpdates());
              var changed = filter.changed(m.getUpdates());
              if (changed.getUpdatesCount() > 0) leader.statusReported(nodeId, changed);
              else leader.heartbeat(nodeId, false);
            }
          }
          case LOGS -> {
            if (nodeId != null) logs.reply(nodeId, m.getLogs());
          }
          case KIND_NOT_SET -> { }
        }
      }

      @Override
      public void onError(Throwable t) {
        if (nodeId != null) {
          leader.sessionClosed(nodeId, stream);
          logs.closed(nodeId, out);
        }
      }

      @Override
      public void onCompleted() {
        if (nodeId != null) {
          leader.sessionClosed(nodeId, stream);
          logs.closed(nodeId, out);
        }
        stream.close();
      }
    };
  }
}
