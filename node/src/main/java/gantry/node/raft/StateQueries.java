package gantry.node.raft;

import gantry.node.state.ClusterState;
import gantry.node.store.StateStore;
import gantry.v1.Deployment;
import gantry.v1.GetJobResponse;
import gantry.v1.GetStateDigestResponse;
import gantry.v1.Evaluation;
import gantry.v1.EvalStatus;
import gantry.v1.ListDeploymentsResponse;
import gantry.v1.ListEvaluationsRequest;
import gantry.v1.ListEvaluationsResponse;
import gantry.v1.ListJobVersionsResponse;
import gantry.v1.ListJobsResponse;
import gantry.v1.ListNodesResponse;
import gantry.v1.StateQuery;
import com.google.protobuf.Message;
import java.util.List;
import java.util.function.Supplier;

/** Answers read queries from the applied state; used after the read index, or directly for stale reads. */
final class StateQueries {
  static final int PREFIX_MATCHES = 5;

  private final Supplier<ClusterState> state;
  private final Supplier<StateStore> store;

  StateQueries(Supplier<ClusterState> state, Supplier<StateStore> store) {
    this.state = state;
    this.store = store;
  }

  Message answer(StateQuery q) {
    ClusterState s = state.get();
    return switch (q.getKindCase()) {
      case GET_JOB -> {
        var b = GetJobResponse.newBuilder();
        s.job(q.getGetJob().getName()).ifPresent(job -> {
          b.setJob(job).addAllGroups(JobSummaries.of(s, job));
          s.deployments(job.getName()).stream().findFirst().ifPresent(b::setLatestDeployment);
        });
        yield b.build();
      }
      case LIST_DEPLOYMENTS -> ListDeploymentsResponse.newBuilder()
          .addAllDeployments(s.deployments(q.getListDeployments().getJob())).build();
      case GET_DEPLOYMENT -> ListDeploymentsResponse.newBuilder()
          .addAllDeployments(deploymentsByPrefix(s, q.getGetDeployment().getId())).build();
      case LIST_EVALUATIONS -> ListEvaluationsResponse.newBuilder()
          .addAllEvaluations(evaluations(s, q.getListEvaluations())).build();
      case LIST_JOB_VERSIONS -> ListJobVersionsResponse.newBuilder()
          .addAllVersions(s.jobVersions(q.getListJobVersions().getJob())).build();
      case LIST_JOBS -> ListJobsResponse.newBuilder().addAllJobs(s.jobs(q.getListJobs().getPrefix())).build();
      case LIST_NODES -> ListNodesResponse.newBuilder().addAllNodes(s.nodes()).build();
      case LIST_ALLOCATIONS -> {
        var req = q.getListAllocations();
        java.util.List<gantry.v1.Allocation> list;
        if (!req.getNode().isEmpty()) {
          list = s.nodeByIdOrName(req.getNode()).map(n -> s.allocsOfNode(n.getId())).orElse(java.util.List.of());
          if (!req.getJob().isEmpty()) list = list.stream().filter(a -> a.getJob().equals(req.getJob())).toList();
        } else if (!req.getJob().isEmpty()) {
          list = s.allocsOfJob(req.getJob());
        } else {
          list = s.allocs().stream().sorted(java.util.Comparator.comparing(gantry.v1.Allocation::getJob)
              .thenComparing(gantry.v1.Allocation::getGroup).thenComparing(gantry.v1.Allocation::getIndex)).toList();
        }
        yield gantry.v1.ListAllocationsResponse.newBuilder().addAllAllocations(list).build();
      }
      case DIGEST -> {
        StateStore.Digest d = store.get().digest();
        yield GetStateDigestResponse.newBuilder()
            .setDigest(d.sha256()).setAppliedIndex(Math.max(0, d.applied().index())).setJobs(s.jobCount()).build();
      }
      case COLLECTABLE_GARBAGE -> {
        var req = q.getCollectableGarbage();
        var selection = gantry.node.state.GarbageSelection.select(s, req.getTimeMs(),
            gantry.node.state.GarbageSelection.ANY_AGE, Math.max(1, req.getMaxRecords()));
        yield gantry.v1.GarbageRecords.newBuilder().addAllRecords(selection.records()).setMore(selection.more()).build();
      }
      case KIND_NOT_SET -> throw new IllegalArgumentException("empty query");
    };
  }

  /** The evaluations of the request's job and status (each when set), newest first. */
  private static List<Evaluation> evaluations(ClusterState s, ListEvaluationsRequest req) {
    return s.evals().stream()
        .filter(e -> req.getJob().isEmpty() || e.getJob().equals(req.getJob()))
        .filter(e -> req.getStatus() == EvalStatus.EVAL_STATUS_UNSPECIFIED || e.getStatus() == req.getStatus())
        .sorted(java.util.Comparator.comparingLong(Evaluation::getCreateIndex).reversed().thenComparing(Evaluation::getId))
        .toList();
  }

  /**
   * The deployment with exactly this id, else those whose id starts with it (at most
   * {@value #PREFIX_MATCHES}, enough to tell the user the prefix is ambiguous).
   */
  private static List<Deployment> deploymentsByPrefix(ClusterState s, String idOrPrefix) {
    if (idOrPrefix.isEmpty()) return List.of();
    var exact = s.deployment(idOrPrefix);
    if (exact.isPresent()) return List.of(exact.get());
    return s.deployments("").stream().filter(d -> d.getId().startsWith(idOrPrefix)).limit(PREFIX_MATCHES).toList();
  }
}
