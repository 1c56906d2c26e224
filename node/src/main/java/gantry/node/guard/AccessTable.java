package gantry.node.guard;

import com.google.protobuf.Message;
import gantry.node.acl.Need;
import gantry.node.acl.Resource;
import gantry.v1.*;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The one table from a ControlService method (and each HTTP route, by the method it stands for)
 * to what it needs. The gRPC interceptor and the HTTP filter both read it, so an endpoint cannot
 * be checked one way on one transport and another way on the other. A method missing here is
 * refused (fail closed); {@code AccessTableTest} fails when ControlService gains a method this
 * table does not name.
 *
 * <p>Open methods (no token needed): GetLeader (clients find the leader before anything else)
 * and BootstrapAcl (there is no token before it; replay allows it once). gRPC health and
 * reflection, and the agents' DispatcherService, are not ControlService: the guard does not see
 * them (agents authenticate by certificate).
 */
public final class AccessTable {
  /** What a method's target names, so the guard can find the job a prefix grant is about. */
  public enum Kind { JOB, ALLOCATION, DEPLOYMENT, OTHER }

  /**
   * @param method the ControlService method's bare name ("RegisterJob")
   * @param need what it needs; null for an open method
   * @param audited whether it changes state (every write, and BootstrapAcl)
   * @param kind what {@code target} returns
   * @param target the name the request carries (a job, node, policy, accessor...), "" if none
   */
  public record Rule(String method, Need need, boolean audited, Kind kind, Function<Message, String> target) {
    public boolean open() {
      return need == null;
    }
  }

  /**
   * An HTTP route and the method it stands for, with where its target is: a path parameter, else
   * a query parameter, else a JSON job spec body ({@code POST /v1/jobs}).
   */
  public record Route(String method, String pathParam, String queryParam) {}

  private static final Map<String, Rule> RULES = new HashMap<>();
  private static final Map<String, Route> ROUTES = new HashMap<>();
  /**
   * The web UI's routes (verb and path pattern), open: static files that carry no data. The page
   * reads and changes everything through the /v1 routes above, with the user's token.
   */
  private static final Set<String> PAGES = Set.of("GET /", "GET /ui/jobs/{name}", "GET /ui/assets/{file}");

  static {
    Need jobsRead = Need.read(Resource.JOBS);
    Need jobsWrite = Need.write(Resource.JOBS);
    rule("RegisterJob", jobsWrite, Kind.JOB, m -> ((RegisterJobRequest) m).getSpec().getName());
    rule("GetJob", jobsRead, Kind.JOB, m -> ((GetJobRequest) m).getName());
    rule("ListJobs", jobsRead, Kind.OTHER, m -> "");
    rule("DeregisterJob", jobsWrite, Kind.JOB, m -> ((DeregisterJobRequest) m).getName());
    rule("ScaleJob", jobsWrite, Kind.JOB, m -> ((ScaleJobRequest) m).getName());
    rule("RevertJob", jobsWrite, Kind.JOB, m -> ((RevertJobRequest) m).getName());
    rule("ListJobVersions", jobsRead, Kind.JOB, m -> ((ListJobVersionsRequest) m).getJob());
    rule("ListAllocations", jobsRead, Kind.JOB, m -> ((ListAllocationsRequest) m).getJob());
    rule("GetAllocLogs", jobsRead, Kind.ALLOCATION, m -> ((GetAllocLogsRequest) m).getAllocation());
    rule("ListDeployments", jobsRead, Kind.JOB, m -> ((ListDeploymentsRequest) m).getJob());
    rule("ListEvaluations", jobsRead, Kind.JOB, m -> ((ListEvaluationsRequest) m).getJob());
    rule("GetDeployment", jobsRead, Kind.DEPLOYMENT, m -> ((GetDeploymentRequest) m).getId());
    rule("ChangeDeployment", jobsWrite, Kind.DEPLOYMENT, m -> ((ChangeDeploymentRequest) m).getId());
    rule("ListServices", jobsRead, Kind.OTHER, m -> "");
    rule("GetServiceEndpoints", jobsRead, Kind.OTHER, m -> ((GetServiceEndpointsRequest) m).getName());
    rule("WatchService", jobsRead, Kind.OTHER, m -> ((WatchServiceRequest) m).getName());
    rule("ListNodes", Need.read(Resource.NODES), Kind.OTHER, m -> "");
    rule("DrainNode", Need.write(Resource.NODES), Kind.OTHER, m -> ((DrainNodeRequest) m).getNode());
    rule("ListPeers", Need.read(Resource.OPERATOR), Kind.OTHER, m -> "");
    rule("GetStateDigest", Need.read(Resource.OPERATOR), Kind.OTHER, m -> "");
    // Nodes' and allocations' measured CPU and memory, which `node ls` and `alloc ls` show beside
    // the lists (and print "-" for when refused): what a nodes:read operator reads.
    rule("GetLiveMetrics", Need.read(Resource.NODES), Kind.OTHER, m -> "");
    rule("ReadAudit", Need.read(Resource.OPERATOR), Kind.OTHER, m -> "");
    rule("SaveSnapshot", Need.read(Resource.OPERATOR), Kind.OTHER, m -> "");
    rule("RestoreSnapshot", Need.write(Resource.OPERATOR), Kind.OTHER, m -> "");
    rule("TransferLeadership", Need.write(Resource.OPERATOR), Kind.OTHER, m -> ((TransferLeadershipRequest) m).getPeerId());
    rule("CollectGarbage", Need.write(Resource.OPERATOR), Kind.OTHER, m -> "");
    rule("WatchEvents", Need.read(Resource.EVENTS), Kind.OTHER, m -> "");
    rule("GetLeader", null, Kind.OTHER, m -> "");
    RULES.put("BootstrapAcl", new Rule("BootstrapAcl", null, true, Kind.OTHER, m -> ""));
    rule("ApplyAclPolicy", Need.write(Resource.ACL), Kind.OTHER, m -> ((ApplyAclPolicyRequest) m).getName());
    rule("ListAclPolicies", Need.read(Resource.ACL), Kind.OTHER, m -> "");
    rule("DeleteAclPolicy", Need.write(Resource.ACL), Kind.OTHER, m -> ((DeleteAclPolicyRequest) m).getName());
    rule("CreateAclToken", Need.write(Resource.ACL), Kind.OTHER, m -> ((CreateAclTokenRequest) m).getName());
    rule("ListAclTokens", Need.read(Resource.ACL), Kind.OTHER, m -> "");
    rule("RevokeAclToken", Need.write(Resource.ACL), Kind.OTHER, m -> ((RevokeAclTokenRequest) m).getAccessorId());

    route("GET /v1/jobs", "ListJobs", "", "");
    route("POST /v1/jobs", "RegisterJob", "", "");
    route("GET /v1/job/{name}", "GetJob", "name", "");
    route("DELETE /v1/job/{name}", "DeregisterJob", "name", "");
    route("GET /v1/job/{name}/allocations", "ListAllocations", "name", "");
    route("POST /v1/job/{name}/scale", "ScaleJob", "name", "");
    route("GET /v1/nodes", "ListNodes", "", "");
    route("GET /v1/metrics/live", "GetLiveMetrics", "", "");
    route("GET /v1/node/{name}", "ListNodes", "name", "");
    route("GET /v1/allocations", "ListAllocations", "", "job");
    route("GET /v1/deployments", "ListDeployments", "", "job");
    route("GET /v1/deployment/{id}", "GetDeployment", "id", "");
    route("GET /v1/status/leader", "GetLeader", "", "");
    route("GET /v1/status/peers", "ListPeers", "", "");
    route("GET /v1/services", "ListServices", "", "");
    route("GET /v1/service/{name}", "GetServiceEndpoints", "name", "");
    route("GET /v1/event/stream", "WatchEvents", "", "");
    route("GET /v1/evaluations", "ListEvaluations", "", "job");
    route("PUT /v1/system/gc", "CollectGarbage", "", "");
  }

  private AccessTable() {}

  private static void rule(String method, Need need, Kind kind, Function<Message, String> target) {
    RULES.put(method, new Rule(method, need, need != null && need.changesState(), kind, target));
  }

  private static void route(String key, String method, String pathParam, String queryParam) {
    if (!RULES.containsKey(method)) throw new IllegalStateException("route " + key + " names no rule " + method);
    ROUTES.put(key, new Route(method, pathParam, queryParam));
  }

  /** The rule of a gRPC method ("gantry.v1.ControlService/RegisterJob"). */
  public static Optional<Rule> grpc(String fullMethodName) {
    return Optional.ofNullable(RULES.get(fullMethodName.substring(fullMethodName.lastIndexOf('/') + 1)));
  }

  /** The rule of a ControlService method by its bare name. */
  public static Optional<Rule> method(String name) {
    return Optional.ofNullable(RULES.get(name));
  }

  /**
   * The route of an HTTP request, by verb and matched path pattern ("GET /v1/job/{name}"). Empty
   * for paths outside the API ({@code /metrics}, the web UI's {@link #page pages}), which the guard
   * leaves open.
   */
  public static Optional<Route> http(String verb, String pathPattern) {
    return Optional.ofNullable(ROUTES.get(verb + " " + pathPattern));
  }

  /** Whether the route is one of the web UI's open pages or assets (never an API route). */
  public static boolean page(String verb, String pathPattern) {
    return PAGES.contains(verb + " " + pathPattern);
  }
}
