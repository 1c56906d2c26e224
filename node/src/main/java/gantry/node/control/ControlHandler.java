package gantry.node.control;

import com.google.protobuf.Descriptors.FieldDescriptor;
import gantry.node.raft.Proposer.Proposal;
import gantry.node.raft.RaftNode;
import gantry.spec.JobSpecValidator;
import gantry.v1.Deployment;
import gantry.v1.DeregisterJobRequest;
import gantry.v1.DeregisterJobResponse;
import gantry.v1.GetDeploymentRequest;
import gantry.v1.GetDeploymentResponse;
import gantry.v1.GetJobRequest;
import gantry.v1.GetJobResponse;
import gantry.v1.GetLeaderResponse;
import gantry.v1.GetStateDigestRequest;
import gantry.v1.GetStateDigestResponse;
import gantry.v1.JobPurged;
import gantry.v1.JobRegistered;
import gantry.v1.JobStopped;
import gantry.v1.ListDeploymentsRequest;
import gantry.v1.ListDeploymentsResponse;
import gantry.v1.ListJobVersionsRequest;
import gantry.v1.ListJobVersionsResponse;
import gantry.v1.ListJobsRequest;
import gantry.v1.ListJobsResponse;
import gantry.v1.ListNodesRequest;
import gantry.v1.ListNodesResponse;
import gantry.v1.ListPeersResponse;
import gantry.v1.Peer;
import gantry.v1.PeerAnnounced;
import gantry.v1.Record;
import gantry.v1.RecordOutcome;
import gantry.v1.RegisterJobRequest;
import gantry.v1.RegisterJobResponse;
import gantry.v1.StateQuery;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ratis.protocol.RaftPeer;

/**
 * The control layer: turns user requests into records (after validating them) and reads
 * into state queries. It decides nothing about state itself; replay does.
 */
public final class ControlHandler {
  /** The shortest deployment id prefix GetDeployment takes. */
  public static final int MIN_DEPLOYMENT_PREFIX = 4;
  /** GC records (about 1,000 deletions each) a forced collection reads at a time. */
  static final int GC_RECORDS_PER_READ = 20;
  /** Reads a forced collection makes at most (some 20 million deletions). */
  static final int GC_MAX_ROUNDS = 1_000;

  private final RaftNode raft;
  private final Clock clock;

  public ControlHandler(RaftNode raft, Clock clock) {
    this.raft = raft;
    this.clock = clock;
  }

  public CompletableFuture<RegisterJobResponse> registerJob(RegisterJobRequest req) {
    JobSpecValidator.validate(req.getSpec());
    Record r = Record.newBuilder()
        .setJobRegistered(JobRegistered.newBuilder().setSpec(req.getSpec()).setTimeMs(clock.millis()))
        .build();
    return propose(r).thenApply(p -> {
      RecordOutcome o = single(p);
      return RegisterJobResponse.newBuilder().setJob(o.getJob()).setChanged(o.getChanged()).setIndex(p.index()).build();
    });
  }

  public CompletableFuture<gantry.v1.ScaleJobResponse> scaleJob(gantry.v1.ScaleJobRequest req) {
    if (req.getName().isEmpty()) throw new ControlException(ControlException.Code.INVALID_ARGUMENT, "name: is required");
    if (req.getGroup().isEmpty()) throw new ControlException(ControlException.Code.INVALID_ARGUMENT, "group: is required");
    if (req.getCount() < 0 || req.getCount() > gantry.spec.Limits.MAX_COUNT_PER_GROUP) {
      throw new ControlException(ControlException.Code.INVALID_ARGUMENT,
          "count: must be within 0.." + gantry.spec.Limits.MAX_COUNT_PER_GROUP + ", got " + req.getCount());
    }
    Record r = Record.newBuilder().setJobScaled(gantry.v1.JobScaled.newBuilder().setName(req.getName())
        .setGroup(req.getGroup()).setCount(req.getCount()).setTimeMs(clock.millis())).build();
    return propose(r).thenApply(p -> {
      RecordOutcome o = single(p);
      return gantry.v1.ScaleJobResponse.newBuilder().setJob(o.getJob()).setChanged(o.getChanged()).setIndex(p.index()).build();
    });
  }

  public CompletableFuture<DeregisterJobResponse> deregisterJob(DeregisterJobRequest req) {
    if (req.getName().isEmpty()) throw new ControlException(ControlException.Code.INVALID_ARGUMENT, "name: is required");
    Record r = req.getPurge()
        ? Record.newBuilder().setJobPurged(JobPurged.newBuilder().setName(req.getName()).setTimeMs(clock.millis())).build()
        : Record.newBuilder().setJobStopped(JobStopped.newBuilder().setName(req.getName()).setTimeMs(clock.millis())).build();
    return propose(r).thenApply(p -> {
      RecordOutcome o = single(p);
      return DeregisterJobResponse.newBuilder().setJob(o.getJob()).setChanged(o.getChanged()).setIndex(p.index()).build();
    });
  }

  /** Tells the cluster where users and agents reach this peer. */
  public CompletableFuture<Proposal> announce(String id, String grpcAddress, String httpAddress) {
    return propose(Record.newBuilder().setPeerAnnounced(
        PeerAnnounced.newBuilder().setId(id).setGrpcAddress(grpcAddress).setHttpAddress(httpAddress)).build());
  }

  public CompletableFuture<GetJobResponse> getJob(GetJobRequest req) {
    if (req.getName().isEmpty()) throw new ControlException(ControlException.Code.INVALID_ARGUMENT, "name: is required");
    return read(StateQuery.newBuilder().setGetJob(req).build(), req.getStale(), GetJobResponse.parser())
        .thenApply(r -> {
          if (!r.hasJob()) throw new ControlException(ControlException.Code.NOT_FOUND, "job \"" + req.getName() + "\" not found");
          return r;
        });
  }

  public CompletableFuture<ListJobsResponse> listJobs(ListJobsRequest req) {
    return read(StateQuery.newBuilder().setListJobs(req).build(), req.getStale(), ListJobsResponse.parser());
  }

  public CompletableFuture<ListNodesResponse> listNodes(ListNodesRequest req) {
    return read(StateQuery.newBuilder().setListNodes(req).build(), req.getStale(), ListNodesResponse.parser());
  }

  public CompletableFuture<gantry.v1.ListAllocationsResponse> listAllocations(gantry.v1.ListAllocationsRequest req) {
    return read(StateQuery.newBuilder().setListAllocations(req).build(), req.getStale(),
        gantry.v1.ListAllocationsResponse.parser());
  }

  /** Deployments, newest first; of one job when the request names one. */
  public CompletableFuture<ListDeploymentsResponse> listDeployments(ListDeploymentsRequest req) {
    return read(StateQuery.newBuilder().setListDeployments(req).build(), req.getStale(), ListDeploymentsResponse.parser());
  }

  /** Evaluations, newest first; of one job and/or in one status when the request names them. */
  public CompletableFuture<gantry.v1.ListEvaluationsResponse> listEvaluations(gantry.v1.ListEvaluationsRequest req) {
    return read(StateQuery.newBuilder().setListEvaluations(req).build(), req.getStale(),
        gantry.v1.ListEvaluationsResponse.parser());
  }

  /**
   * One deployment by id or by a prefix of at least {@value #MIN_DEPLOYMENT_PREFIX} characters
   * (the tables show 8). The state machine answers with the matches (the first few); one is the
   * answer, none is NOT_FOUND and several are INVALID_ARGUMENT naming them.
   */
  public CompletableFuture<GetDeploymentResponse> getDeployment(GetDeploymentRequest req) {
    String id = req.getId();
    if (id.isEmpty()) throw new ControlException(ControlException.Code.INVALID_ARGUMENT, "id: is required");
    if (id.length() < MIN_DEPLOYMENT_PREFIX) {
      throw new ControlException(ControlException.Code.INVALID_ARGUMENT, "id: a prefix needs at least "
          + MIN_DEPLOYMENT_PREFIX + " characters, got \"" + id + "\"");
    }
    return read(StateQuery.newBuilder().setGetDeployment(req).build(), req.getStale(), ListDeploymentsResponse.parser())
        .thenApply(r -> {
          List<Deployment> matches = r.getDeploymentsList();
          if (matches.isEmpty()) {
            throw new ControlException(ControlException.Code.NOT_FOUND, "deployment \"" + id + "\" not found");
          }
          if (matches.size() > 1) {
            throw new ControlException(ControlException.Code.INVALID_ARGUMENT, "id: prefix \"" + id
                + "\" matches more than one deployment (" + String.join(", ", matches.stream().map(Deployment::getId).toList())
                + "); give more characters");
          }
          return GetDeploymentResponse.newBuilder().setDeployment(matches.getFirst()).build();
        });
  }

  /**
   * Promotes, fails, pauses or resumes a deployment (id or unique prefix): resolved to its id by
   * a read, then a DeploymentChanged record; replay refuses an action that does not apply to the
   * deployment's status then (FAILED_PRECONDITION with the reason).
   */
  public CompletableFuture<gantry.v1.ChangeDeploymentResponse> changeDeployment(gantry.v1.ChangeDeploymentRequest req) {
    switch (req.getAction()) {
      case DEPLOYMENT_ACTION_PROMOTE, DEPLOYMENT_ACTION_FAIL, DEPLOYMENT_ACTION_PAUSE, DEPLOYMENT_ACTION_RESUME -> { }
      default -> throw new ControlException(ControlException.Code.INVALID_ARGUMENT,
          "action: must be promote, fail, pause or resume, got " + req.getAction());
    }
    return getDeployment(GetDeploymentRequest.newBuilder().setId(req.getId()).build()).thenCompose(found -> {
      Record r = Record.newBuilder().setDeploymentChanged(gantry.v1.DeploymentChanged.newBuilder()
          .setId(found.getDeployment().getId()).setAction(req.getAction()).setTimeMs(clock.millis())).build();
      return propose(r).thenApply(p -> gantry.v1.ChangeDeploymentResponse.newBuilder()
          .setDeployment(single(p).getDeployment()).setIndex(p.index()).build());
    });
  }

  /** Registers an earlier version's spec again as a new version. */
  public CompletableFuture<gantry.v1.RevertJobResponse> revertJob(gantry.v1.RevertJobRequest req) {
    if (req.getName().isEmpty()) throw new ControlException(ControlException.Code.INVALID_ARGUMENT, "name: is required");
    if (req.getVersion() == 0) throw new ControlException(ControlException.Code.INVALID_ARGUMENT, "version: is required (1 or more)");
    Record r = Record.newBuilder().setJobReverted(gantry.v1.JobReverted.newBuilder().setName(req.getName())
        .setVersion(req.getVersion()).setTimeMs(clock.millis())).build();
    return propose(r).thenApply(p -> {
      RecordOutcome o = single(p);
      return gantry.v1.RevertJobResponse.newBuilder().setJob(o.getJob()).setChanged(o.getChanged()).setIndex(p.index()).build();
    });
  }

  /** Every registered version of a job, oldest first; NOT_FOUND when it has none. */
  public CompletableFuture<ListJobVersionsResponse> listJobVersions(ListJobVersionsRequest req) {
    if (req.getJob().isEmpty()) throw new ControlException(ControlException.Code.INVALID_ARGUMENT, "job: is required");
    return read(StateQuery.newBuilder().setListJobVersions(req).build(), req.getStale(), ListJobVersionsResponse.parser())
        .thenApply(r -> {
          if (r.getVersionsCount() == 0) {
            throw new ControlException(ControlException.Code.NOT_FOUND, "job \"" + req.getJob() + "\" not found");
          }
          return r;
        });
  }

  /** Drains a node (by name or id) or undoes a drain. */
  public CompletableFuture<gantry.v1.DrainNodeResponse> drainNode(gantry.v1.DrainNodeRequest req) {
    if (req.getNode().isEmpty()) throw new ControlException(ControlException.Code.INVALID_ARGUMENT, "node: is required");
    var state = raft.stateMachine().state();
    var node = state.nodeByIdOrName(req.getNode()).orElseThrow(
        () -> new ControlException(ControlException.Code.NOT_FOUND, "node \"" + req.getNode() + "\" not found"));
    Record r = Record.newBuilder().setNodeDrainSet(gantry.v1.NodeDrainSet.newBuilder()
        .setNodeId(node.getId()).setDrain(req.getDrain()).setTimeMs(clock.millis())).build();
    return propose(r).thenApply(p -> {
      single(p);
      return gantry.v1.DrainNodeResponse.newBuilder()
          .setNode(state.node(node.getId()).orElse(node)).setIndex(p.index()).build();
    });
  }

  public CompletableFuture<GetStateDigestResponse> digest(GetStateDigestRequest req) {
    return read(StateQuery.newBuilder().setDigest(req).build(), req.getStale(), GetStateDigestResponse.parser());
  }

  /** The Raft configuration's peers with the addresses they announced, and who leads. */
  public ListPeersResponse listPeers() {
    String leader = raft.leaderId().orElse("");
    Map<String, Peer> announced = raft.stateMachine().announcedPeers();
    ListPeersResponse.Builder b = ListPeersResponse.newBuilder();
    for (RaftPeer p : raft.peers()) {
      String id = p.getId().toString();
      Peer known = announced.getOrDefault(id, Peer.getDefaultInstance());
      Peer.Builder peer = known.toBuilder()
          .setId(id)
          .setRaftAddress(p.getAddress())
          .setLeader(id.equals(leader))
          .setRole(id.equals(leader) ? "leader" : "follower");
      String diverged = raft.divergedReason();
      if (id.equals(raft.id()) && diverged != null) peer.setLeader(false).setRole("diverged").setProblem(diverged);
      b.addPeers(peer);
    }
    return b.build();
  }

  /** A diverged peer writes nothing (it takes no part in Raft); it says why instead. */
  private void requireNotDiverged() {
    String diverged = raft.divergedReason();
    if (diverged != null) {
      throw new ControlException(ControlException.Code.FAILED_PRECONDITION, "peer " + raft.id() + " has diverged: " + diverged);
    }
  }

  public GetLeaderResponse getLeader() {
    ListPeersResponse peers = listPeers();
    for (Peer p : peers.getPeersList()) {
      if (p.getLeader()) return GetLeaderResponse.newBuilder().setLeader(p).setTerm(raft.currentTerm()).build();
    }
    throw new ControlException(ControlException.Code.UNAVAILABLE, "no leader known to peer " + raft.id() + " right now");
  }

  /** Moves the leadership to a named peer; completes once it leads. */
  public CompletableFuture<gantry.v1.TransferLeadershipResponse> transferLeadership(gantry.v1.TransferLeadershipRequest req) {
    requireNotDiverged();
    String target = req.getPeerId();
    boolean known = raft.peers().stream().anyMatch(p -> p.getId().toString().equals(target));
    if (!known) {
      throw new ControlException(ControlException.Code.FAILED_PRECONDITION, "peer_id: no peer \"" + target
          + "\" in the Raft configuration (see gantry operator raft peers)");
    }
    long timeout = req.getTimeoutMs() == 0 ? 10_000 : req.getTimeoutMs();
    return CompletableFuture.supplyAsync(() -> {
      if (!target.equals(raft.leaderId().orElse(""))) {
        try {
          raft.transferLeadership(target, timeout);
        } catch (java.io.IOException e) {
          throw new ControlException(ControlException.Code.UNAVAILABLE,
              "leadership transfer to " + target + " did not finish: " + e.getMessage());
        }
      }
      return gantry.v1.TransferLeadershipResponse.newBuilder().setLeaderId(target).setTerm(raft.currentTerm()).build();
    }, Thread::startVirtualThread);
  }

  /**
   * Collects now whatever the GC may delete, however recent ({@code gantry system gc}): reads what
   * is collectable after the read index, proposes it one GC record at a time (replay checks each
   * id again), and reads again while more was left. Completes once all is applied, with what the
   * records deleted.
   */
  public CompletableFuture<gantry.v1.CollectGarbageResponse> collectGarbage(gantry.v1.CollectGarbageRequest req) {
    requireNotDiverged();
    return collectRound(gantry.v1.GarbageCounts.newBuilder(), 0, 1);
  }

  private CompletableFuture<gantry.v1.CollectGarbageResponse> collectRound(gantry.v1.GarbageCounts.Builder total,
      long index, int round) {
    StateQuery q = StateQuery.newBuilder().setCollectableGarbage(gantry.v1.CollectableGarbageQuery.newBuilder()
        .setTimeMs(clock.millis()).setMaxRecords(GC_RECORDS_PER_READ)).build();
    return read(q, false, gantry.v1.GarbageRecords.parser()).thenCompose(found -> {
      AtomicBoolean deleted = new AtomicBoolean();
      CompletableFuture<Long> chain = CompletableFuture.completedFuture(index);
      for (gantry.v1.GarbageCollected r : found.getRecordsList()) {
        chain = chain.thenCompose(last -> propose(Record.newBuilder().setGarbageCollected(r).build()).thenApply(p -> {
          RecordOutcome outcome = single(p);
          add(total, outcome.getCollected());
          if (outcome.getChanged()) deleted.set(true);
          return p.index();
        }));
      }
      return chain.thenCompose(last -> {
        // More was left: read again, unless this round deleted nothing (all raced) or ran long.
        if (found.getMore() && deleted.get() && round < GC_MAX_ROUNDS) return collectRound(total, last, round + 1);
        return CompletableFuture.completedFuture(
            gantry.v1.CollectGarbageResponse.newBuilder().setCollected(total).setIndex(last).build());
      });
    });
  }

  /** Adds {@code n} to {@code total}, kind by kind: every field of GarbageCounts, so a kind added later is summed too. */
  private static void add(gantry.v1.GarbageCounts.Builder total, gantry.v1.GarbageCounts n) {
    for (FieldDescriptor f : gantry.v1.GarbageCounts.getDescriptor().getFields()) {
      total.setField(f, (Integer) total.getField(f) + (Integer) n.getField(f));
    }
  }

  private CompletableFuture<Proposal> propose(Record r) {
    requireNotDiverged();
    return raft.proposer().propose(List.of(r));
  }

  private static RecordOutcome single(Proposal p) {
    RecordOutcome o = p.outcomes().getFirst();
    if (!o.getErrorCode().isEmpty()) {
      throw new ControlException(ControlException.Code.valueOf(o.getErrorCode()), o.getErrorMessage());
    }
    return o;
  }

  private <T extends Message> CompletableFuture<T> read(StateQuery q, boolean stale, Parser<T> parser) {
    if (stale) {
      @SuppressWarnings("unchecked")
      T local = (T) raft.stateMachine().queryLocal(q);
      return CompletableFuture.completedFuture(local);
    }
    return raft.read(q).thenApply(bytes -> {
      try {
        return parser.parseFrom(bytes.asReadOnlyByteBuffer());
      } catch (InvalidProtocolBufferException e) {
        throw new IllegalStateException("unreadable answer to " + q.getKindCase(), e);
      }
    });
  }
}
