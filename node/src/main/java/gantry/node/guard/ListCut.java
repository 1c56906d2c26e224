package gantry.node.guard;

import gantry.node.acl.Authorization;
import gantry.v1.ListAllocationsResponse;
import gantry.v1.ListDeploymentsResponse;
import gantry.v1.ListEvaluationsResponse;
import gantry.v1.ListJobsResponse;
import gantry.v1.ListServicesResponse;

/**
 * Cuts a list down to what a token with prefix-limited job grants may read: the jobs it reaches,
 * their allocations, deployments and evaluations, and the services only those jobs declare. Other answers
 * pass unchanged. Shared by both transports, like {@link AccessTable}.
 */
public final class ListCut {
  private ListCut() {}

  @SuppressWarnings("unchecked")
  public static <T> T cut(Authorization who, T answer) {
    if (who.readsAllJobs()) return answer;
    Object out = switch (answer) {
      case ListJobsResponse r -> r.toBuilder().clearJobs()
          .addAllJobs(r.getJobsList().stream().filter(j -> who.mayRead(j.getName())).toList()).build();
      case ListAllocationsResponse r -> r.toBuilder().clearAllocations()
          .addAllAllocations(r.getAllocationsList().stream().filter(a -> who.mayRead(a.getJob())).toList()).build();
      case ListDeploymentsResponse r -> r.toBuilder().clearDeployments()
          .addAllDeployments(r.getDeploymentsList().stream().filter(d -> who.mayRead(d.getJob())).toList()).build();
      case ListEvaluationsResponse r -> r.toBuilder().clearEvaluations()
          .addAllEvaluations(r.getEvaluationsList().stream().filter(e -> who.mayRead(e.getJob())).toList()).build();
      case ListServicesResponse r -> r.toBuilder().clearServices().addAllServices(r.getServicesList().stream()
          .filter(s -> !s.getJobsList().isEmpty() && s.getJobsList().stream().allMatch(who::mayRead)).toList()).build();
      default -> answer;
    };
    return (T) out;
  }
}
