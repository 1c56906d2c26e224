package gantry.node.http;

import com.google.protobuf.MessageOrBuilder;
import gantry.node.control.ControlException;
import gantry.node.control.ControlHandler;
import gantry.node.live.ServiceWatch;
import gantry.v1.CollectGarbageRequest;
import gantry.v1.DeregisterJobRequest;
import gantry.v1.GetDeploymentRequest;
import gantry.v1.GetJobRequest;
import gantry.v1.ListAllocationsRequest;
import gantry.v1.EvalStatus;
import gantry.v1.ListDeploymentsRequest;
import gantry.v1.ListEvaluationsRequest;
import gantry.v1.ListJobsRequest;
import gantry.v1.ListNodesRequest;
import gantry.v1.Node;
import gantry.v1.RegisterJobRequest;
import gantry.v1.ScaleJobRequest;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The {@code /v1} JSON API: each path is one {@link ControlHandler} call, made exactly as the
 * gRPC {@code ControlService} makes it, and answered with the same response message in protobuf
 * JSON. No logic of its own beyond reading the path, the query and the body.
 *
 * <p>Reads are linearizable (Raft read index) unless the query has {@code stale} ({@code ?stale}
 * or {@code ?stale=true}): then this peer answers from its own applied state. Writes go through
 * Raft from whichever peer takes them, as over gRPC.
 *
 * <p>Requests block on a virtual thread for at most {@link #TIMEOUT}: HTTP clients often send no
 * deadline, and a read during a lost quorum must not hang a connection for ever.
 */
final class ControlRoutes {
  /** The longest a request waits for Raft; the Raft client's own retries end after about 15 s. */
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final ControlHandler control;
  private final ServiceWatch services;
  private final gantry.node.live.LiveQueries live;

  ControlRoutes(ControlHandler control, ServiceWatch services, gantry.node.live.LiveQueries live) {
    this.control = control;
    this.services = services;
    this.live = live;
  }

  void register(RoutesConfig routes) {
    routes.get("/v1/jobs", ctx -> reply(ctx, control.listJobs(ListJobsRequest.newBuilder()
        .setStale(flag(ctx, "stale")).setPrefix(query(ctx, "prefix")).build())));
    routes.post("/v1/jobs", ctx -> reply(ctx, control.registerJob(RegisterJobRequest.newBuilder()
        .setSpec(JobSpecBody.parse(ctx.header("Content-Type"), ctx.body())).build())));
    routes.get("/v1/job/{name}", ctx -> reply(ctx, control.getJob(GetJobRequest.newBuilder()
        .setName(ctx.pathParam("name")).setStale(flag(ctx, "stale")).build())));
    routes.delete("/v1/job/{name}", ctx -> reply(ctx, control.deregisterJob(DeregisterJobRequest.newBuilder()
        .setName(ctx.pathParam("name")).setPurge(flag(ctx, "purge")).build())));
    routes.get("/v1/job/{name}/allocations", ctx -> reply(ctx, control.listAllocations(ListAllocationsRequest.newBuilder()
        .setJob(ctx.pathParam("name")).setStale(flag(ctx, "stale")).build())));
    routes.post("/v1/job/{name}/scale", ctx -> reply(ctx, control.scaleJob(scaleRequest(ctx))));
    routes.get("/v1/nodes", ctx -> reply(ctx, control.listNodes(ListNodesRequest.newBuilder()
        .setStale(flag(ctx, "stale")).build())));
    routes.get("/v1/node/{name}", ctx -> node(ctx, ctx.pathParam("name")));
    // The leader's live view of measured use (the agents' reports, not replicated): a follower
    // answers 503 naming the leader, as for services.
    routes.get("/v1/metrics/live", ctx -> json(ctx, live.metrics()));
    routes.get("/v1/allocations", ctx -> reply(ctx, control.listAllocations(ListAllocationsRequest.newBuilder()
        .setJob(query(ctx, "job")).setNode(query(ctx, "node")).setStale(flag(ctx, "stale")).build())));
    routes.get("/v1/deployments", ctx -> reply(ctx, control.listDeployments(ListDeploymentsRequest.newBuilder()
        .setJob(query(ctx, "job")).setStale(flag(ctx, "stale")).build())));
    routes.get("/v1/deployment/{id}", ctx -> reply(ctx, control.getDeployment(GetDeploymentRequest.newBuilder()
        .setId(ctx.pathParam("id")).setStale(flag(ctx, "stale")).build())));
    routes.get("/v1/status/leader", ctx -> json(ctx, control.getLeader()));
    routes.get("/v1/status/peers", ctx -> json(ctx, control.listPeers()));
    // Answered by the leader only (weights follow its live view), as over gRPC: a follower says 503.
    routes.get("/v1/services", ctx -> json(ctx, gantry.v1.ListServicesResponse.newBuilder()
        .addAllServices(services.list()).build()));
    routes.get("/v1/service/{name}", ctx -> json(ctx, services.get(ctx.pathParam("name"))));
    routes.get("/v1/evaluations", ctx -> reply(ctx, control.listEvaluations(ListEvaluationsRequest.newBuilder()
        .setJob(query(ctx, "job")).setStatus(evalStatus(query(ctx, "status"))).setStale(flag(ctx, "stale")).build())));
    // Nomad's PUT /v1/system/gc: collect now whatever the GC may delete, whatever its age.
    routes.put("/v1/system/gc", ctx -> reply(ctx, control.collectGarbage(CollectGarbageRequest.getDefaultInstance())));
  }

  /**
   * {@code {"group": "g", "count": 3}} with the job from the path; a "name" in the body must
   * agree with it, so a body copied from another job cannot scale this one by surprise.
   */
  private static ScaleJobRequest scaleRequest(Context ctx) {
    String name = ctx.pathParam("name");
    ScaleJobRequest.Builder b = ProtoJson.parse(ctx.body(), ScaleJobRequest.newBuilder(), "body");
    if (!b.getName().isEmpty() && !b.getName().equals(name)) {
      throw new ControlException(ControlException.Code.INVALID_ARGUMENT,
          "name: the body names job \"" + b.getName() + "\" but the path names \"" + name + "\"");
    }
    return b.setName(name).build();
  }

  /**
   * One node by id, or else by name (as {@code gantry node drain} finds it). The gRPC API has no
   * GetNode, so this is ListNodes and a pick; the answer is the {@link Node} message.
   */
  private void node(Context ctx, String idOrName) throws Exception {
    var nodes = await(control.listNodes(ListNodesRequest.newBuilder().setStale(flag(ctx, "stale")).build())).getNodesList();
    Node found = nodes.stream().filter(n -> n.getId().equals(idOrName)).findFirst()
        .or(() -> nodes.stream().filter(n -> n.getName().equals(idOrName)).findFirst())
        .orElseThrow(() -> new ControlException(ControlException.Code.NOT_FOUND, "node \"" + idOrName + "\" not found"));
    json(ctx, found);
  }

  private static void reply(Context ctx, CompletableFuture<? extends MessageOrBuilder> answer) throws Exception {
    json(ctx, await(answer));
  }

  private static void json(Context ctx, MessageOrBuilder message) {
    // Lists show only the jobs the caller's token may read (prefix grants).
    MessageOrBuilder shown = gantry.node.guard.ListCut.cut(gantry.node.guard.HttpGuard.authorization(ctx), message);
    ctx.contentType(ProtoJson.CONTENT_TYPE).result(ProtoJson.print(shown));
  }

  private static <T> T await(CompletableFuture<T> answer) throws Exception {
    try {
      return answer.get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new TimeoutException("no answer from Raft within " + TIMEOUT.toSeconds() + " s (a write may still be applied)");
    }
  }

  /**
   * {@code ?status=blocked} (or {@code EVAL_STATUS_BLOCKED}, any case); absent or empty is every
   * status. Anything else is a 400 naming {@code status} and the accepted words.
   */
  static EvalStatus evalStatus(String v) {
    if (v.isEmpty()) return EvalStatus.EVAL_STATUS_UNSPECIFIED;
    String upper = v.toUpperCase(Locale.ROOT);
    for (EvalStatus s : EvalStatus.values()) {
      if (s == EvalStatus.EVAL_STATUS_UNSPECIFIED || s == EvalStatus.UNRECOGNIZED) continue;
      if (s.name().equals(upper) || s.name().equals("EVAL_STATUS_" + upper)) return s;
    }
    throw new ControlException(ControlException.Code.INVALID_ARGUMENT,
        "status: expected pending, complete, blocked, failed or canceled, got \"" + v + "\"");
  }

  private static String query(Context ctx, String name) {
    String v = ctx.queryParam(name);
    return v == null ? "" : v;
  }

  /** {@code ?name}, {@code ?name=true} or {@code =1} -> true; absent, {@code false} or {@code 0} -> false. */
  static boolean flag(Context ctx, String name) {
    String v = ctx.queryParam(name);
    if (v == null) return false;
    return switch (v.toLowerCase(Locale.ROOT)) {
      case "", "true", "1" -> true;
      case "false", "0" -> false;
      default -> throw new ControlException(ControlException.Code.INVALID_ARGUMENT,
          name + ": expected true or false, got \"" + v + "\"");
    };
  }
}
