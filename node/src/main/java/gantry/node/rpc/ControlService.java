package gantry.node.rpc;

import gantry.node.control.ControlHandler;
import gantry.node.control.ControlException;
import gantry.node.events.EventFilter;
import gantry.node.events.EventLog;
import gantry.node.events.Subscription;
import gantry.node.events.Topic;
import gantry.node.guard.AuditLog;
import gantry.node.live.LiveQueries;
import gantry.node.live.ServiceWatch;
import gantry.v1.ControlServiceGrpc;
import gantry.v1.DeregisterJobRequest;
import gantry.v1.DeregisterJobResponse;
import gantry.v1.GetJobRequest;
import gantry.v1.GetJobResponse;
import gantry.v1.GetLeaderRequest;
import gantry.v1.GetLeaderResponse;
import gantry.v1.GetStateDigestRequest;
import gantry.v1.GetStateDigestResponse;
import gantry.v1.ListJobsRequest;
import gantry.v1.ListJobsResponse;
import gantry.v1.ListNodesRequest;
import gantry.v1.ListNodesResponse;
import gantry.v1.ListPeersRequest;
import gantry.v1.ListPeersResponse;
import gantry.v1.RegisterJobRequest;
import gantry.v1.RegisterJobResponse;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** The gRPC face of {@link ControlHandler}: no logic, only calls and status mapping. */
public final class ControlService extends ControlServiceGrpc.ControlServiceImplBase {
  private final ControlHandler handler;
  private final LiveQueries live;
  private final ServiceWatch services;
  private final EventLog events;
  private final gantry.node.control.AclControl acl;
  /** This manager's own audit log (ReadAudit), or null when the peer keeps none. */
  private final AuditLog audit;
  private final SnapshotCalls snapshots;

  public ControlService(ControlHandler handler, gantry.node.control.AclControl acl, LiveQueries live, ServiceWatch services,
      EventLog events, AuditLog audit, gantry.node.backup.SnapshotSaver saver, gantry.node.backup.SnapshotRestorer restorer) {
    this.snapshots = new SnapshotCalls(saver, restorer);
    this.audit = audit;
    this.handler = handler;
    this.acl = acl;
    this.live = live;
    this.services = services;
    this.events = events;
  }

  @Override
  public void registerJob(RegisterJobRequest req, StreamObserver<RegisterJobResponse> out) {
    reply(() -> handler.registerJob(req), out);
  }

  @Override
  public void getJob(GetJobRequest req, StreamObserver<GetJobResponse> out) {
    reply(() -> handler.getJob(req), out);
  }

  @Override
  public void listJobs(ListJobsRequest req, StreamObserver<ListJobsResponse> out) {
    reply(() -> handler.listJobs(req), out);
  }

  @Override
  public void scaleJob(gantry.v1.ScaleJobRequest req, StreamObserver<gantry.v1.ScaleJobResponse> out) {
    reply(() -> handler.scaleJob(req), out);
  }

  @Override
  public void deregisterJob(DeregisterJobRequest req, StreamObserver<DeregisterJobResponse> out) {
    reply(() -> handler.deregisterJob(req), out);
  }

  @Override
  public void listNodes(ListNodesRequest req, StreamObserver<ListNodesResponse> out) {
    reply(() -> handler.listNodes(req), out);
  }

  @Override
  public void listPeers(ListPeersRequest req, StreamObserver<ListPeersResponse> out) {
    reply(() -> CompletableFuture.completedFuture(handler.listPeers()), out);
  }

  @Override
  public void getLeader(GetLeaderRequest req, StreamObserver<GetLeaderResponse> out) {
    reply(() -> CompletableFuture.completedFuture(handler.getLeader()), out);
  }

  @Override
  public void getStateDigest(GetStateDigestRequest req, StreamObserver<GetStateDigestResponse> out) {
    reply(() -> handler.digest(req), out);
  }

  @Override
  public void listAllocations(gantry.v1.ListAllocationsRequest req, StreamObserver<gantry.v1.ListAllocationsResponse> out) {
    reply(() -> handler.listAllocations(req), out);
  }

  @Override
  public void drainNode(gantry.v1.DrainNodeRequest req, StreamObserver<gantry.v1.DrainNodeResponse> out) {
    reply(() -> handler.drainNode(req), out);
  }

  @Override
  public void getLiveMetrics(gantry.v1.GetLiveMetricsRequest req, StreamObserver<gantry.v1.GetLiveMetricsResponse> out) {
    reply(() -> CompletableFuture.completedFuture(live.metrics()), out);
  }

  @Override
  public void getAllocLogs(gantry.v1.GetAllocLogsRequest req, StreamObserver<gantry.v1.GetAllocLogsResponse> out) {
    reply(() -> live.logs(req), out);
  }

  @Override
  public void transferLeadership(gantry.v1.TransferLeadershipRequest req,
      StreamObserver<gantry.v1.TransferLeadershipResponse> out) {
    reply(() -> handler.transferLeadership(req), out);
  }

  @Override
  public void listEvaluations(gantry.v1.ListEvaluationsRequest req, StreamObserver<gantry.v1.ListEvaluationsResponse> out) {
    reply(() -> handler.listEvaluations(req), out);
  }

  @Override
  public void listDeployments(gantry.v1.ListDeploymentsRequest req, StreamObserver<gantry.v1.ListDeploymentsResponse> out) {
    reply(() -> handler.listDeployments(req), out);
  }

  @Override
  public void getDeployment(gantry.v1.GetDeploymentRequest req, StreamObserver<gantry.v1.GetDeploymentResponse> out) {
    reply(() -> handler.getDeployment(req), out);
  }

  @Override
  public void listJobVersions(gantry.v1.ListJobVersionsRequest req, StreamObserver<gantry.v1.ListJobVersionsResponse> out) {
    reply(() -> handler.listJobVersions(req), out);
  }

  @Override
  public void changeDeployment(gantry.v1.ChangeDeploymentRequest req, StreamObserver<gantry.v1.ChangeDeploymentResponse> out) {
    reply(() -> handler.changeDeployment(req), out);
  }

  @Override
  public void revertJob(gantry.v1.RevertJobRequest req, StreamObserver<gantry.v1.RevertJobResponse> out) {
    reply(() -> handler.revertJob(req), out);
  }

  @Override
  public void listServices(gantry.v1.ListServicesRequest req, StreamObserver<gantry.v1.ListServicesResponse> out) {
    reply(() -> CompletableFuture.completedFuture(
        gantry.v1.ListServicesResponse.newBuilder().addAllServices(services.list()).build()), out);
  }

  @Override
  public void getServiceEndpoints(gantry.v1.GetServiceEndpointsRequest req, StreamObserver<gantry.v1.ServiceEndpoints> out) {
    reply(() -> CompletableFuture.completedFuture(services.get(req.getName())), out);
  }

  @Override
  public void watchService(gantry.v1.WatchServiceRequest req, StreamObserver<gantry.v1.ServiceEndpoints> out) {
    ServerCallStreamObserver<gantry.v1.ServiceEndpoints> call = (ServerCallStreamObserver<gantry.v1.ServiceEndpoints>) out;
    ServiceWatch.Watch watch;
    try {
      watch = services.watch(req.getName(), req.getIndex(), new ServiceWatch.Sink() {
        @Override
        public void send(gantry.v1.ServiceEndpoints set) {
          synchronized (call) {
            if (!call.isCancelled()) call.onNext(set);
          }
        }

        @Override
        public void end(ControlException why) {
          synchronized (call) {
            if (!call.isCancelled()) call.onError(Statuses.of(why));
          }
        }
      });
    } catch (RuntimeException e) {
      out.onError(Statuses.of(e));
      return;
    }
    call.setOnCancelHandler(watch::cancel);
  }

  /** This peer's own applied events: any peer answers, leader or not. */
  @Override
  public void watchEvents(gantry.v1.WatchEventsRequest req, StreamObserver<gantry.v1.WatchEventsResponse> out) {
    Subscription subscription;
    try {
      subscription = events.subscribe(new EventFilter(Topic.parse(req.getTopicsList(), "topics"), req.getKey()), req.getIndex());
    } catch (RuntimeException e) {
      out.onError(Statuses.of(e));
      return;
    }
    EventStreamCall.start((ServerCallStreamObserver<gantry.v1.WatchEventsResponse>) out, subscription);
  }

  @Override
  public void bootstrapAcl(gantry.v1.BootstrapAclRequest req, StreamObserver<gantry.v1.BootstrapAclResponse> out) {
    reply(acl::bootstrap, out);
  }

  @Override
  public void applyAclPolicy(gantry.v1.ApplyAclPolicyRequest req, StreamObserver<gantry.v1.ApplyAclPolicyResponse> out) {
    reply(() -> acl.applyPolicy(req), out);
  }

  @Override
  public void listAclPolicies(gantry.v1.ListAclPoliciesRequest req, StreamObserver<gantry.v1.ListAclPoliciesResponse> out) {
    reply(() -> CompletableFuture.completedFuture(acl.listPolicies()), out);
  }

  @Override
  public void deleteAclPolicy(gantry.v1.DeleteAclPolicyRequest req, StreamObserver<gantry.v1.DeleteAclPolicyResponse> out) {
    reply(() -> acl.deletePolicy(req), out);
  }

  @Override
  public void createAclToken(gantry.v1.CreateAclTokenRequest req, StreamObserver<gantry.v1.CreateAclTokenResponse> out) {
    reply(() -> acl.createToken(req), out);
  }

  @Override
  public void listAclTokens(gantry.v1.ListAclTokensRequest req, StreamObserver<gantry.v1.ListAclTokensResponse> out) {
    reply(() -> CompletableFuture.completedFuture(acl.listTokens()), out);
  }

  @Override
  public void revokeAclToken(gantry.v1.RevokeAclTokenRequest req, StreamObserver<gantry.v1.RevokeAclTokenResponse> out) {
    reply(() -> acl.revokeToken(req), out);
  }

  /** This manager's own audit entries, from its own files: whichever peer receives the call answers. */
  @Override
  public void readAudit(gantry.v1.ReadAuditRequest req, StreamObserver<gantry.v1.AuditRecord> out) {
    if (audit == null) {
      out.onError(io.grpc.Status.FAILED_PRECONDITION.withDescription("this manager keeps no audit log").asRuntimeException());
      return;
    }
    AuditReadCall.start((ServerCallStreamObserver<gantry.v1.AuditRecord>) out, audit, req);
  }

  /** Backups (gantry operator snapshot save): the state at one applied index, as a file's bytes. */
  @Override
  public void saveSnapshot(gantry.v1.SaveSnapshotRequest req, StreamObserver<gantry.v1.SnapshotChunk> out) {
    snapshots.save(out);
  }

  /** Backups (gantry operator snapshot restore): a file's bytes in, the whole state replaced through Raft. */
  @Override
  public StreamObserver<gantry.v1.SnapshotChunk> restoreSnapshot(StreamObserver<gantry.v1.RestoreSnapshotResponse> out) {
    return snapshots.restore(out);
  }

  /** gantry system gc: collect now whatever the GC may delete, whatever its age. */
  @Override
  public void collectGarbage(gantry.v1.CollectGarbageRequest req, StreamObserver<gantry.v1.CollectGarbageResponse> out) {
    reply(() -> handler.collectGarbage(req), out);
  }

  private static <T> void reply(Supplier<CompletableFuture<T>> call, StreamObserver<T> out) {
    CompletableFuture<T> f;
    try {
      f = call.get();
    } catch (RuntimeException e) {
      out.onError(Statuses.of(e));
      return;
    }
    f.whenComplete((v, err) -> {
      if (err != null) {
        out.onError(Statuses.of(err));
      } else {
        out.onNext(v);
        out.onCompleted();
      }
    });
  }
}
