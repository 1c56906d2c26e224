package gantry.node.guard;

import gantry.node.acl.Authorization;
import gantry.node.acl.Decision;
import gantry.node.control.ControlException;
import gantry.node.guard.AccessTable.Route;
import gantry.node.guard.AccessTable.Rule;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.router.Endpoint;
import java.io.IOException;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Guard} on the HTTP API: a before-filter finds the route's method in the
 * {@link AccessTable}, reads the {@code X-Gantry-Token} header and refuses (403, the API's JSON
 * error) what the token does not allow, audit line first; an after-filter writes the audit line
 * of an allowed write while the answer is still held by Javalin, before it is sent. Paths outside
 * the table ({@code /metrics}) are left open. The route's handler cuts its lists with
 * {@link #authorization} and {@link ListCut}.
 */
public final class HttpGuard {
  public static final String TOKEN_HEADER = "X-Gantry-Token";
  private static final String AUTHORIZATION = "gantry.guard.authorization";
  private static final String PENDING = "gantry.guard.pending";
  private static final Logger LOG = LoggerFactory.getLogger(HttpGuard.class);

  private final Guard guard;
  /** The job a request body names ({@code POST /v1/jobs}), "" when it cannot be read. */
  private final Function<Context, String> bodyJob;

  public HttpGuard(Guard guard, Function<Context, String> bodyJob) {
    this.guard = guard;
    this.bodyJob = bodyJob;
  }

  /** Installs the filters. */
  public void register(RoutesConfig routes) {
    routes.beforeMatched(this::before);
    routes.afterMatched(this::after);
  }

  /** What the caller of this request may do; everything on an open path. */
  public static Authorization authorization(Context ctx) {
    Authorization who = ctx.attribute(AUTHORIZATION);
    return who == null ? Authorization.EVERYTHING : who;
  }

  private record Pending(Identity identity, Authorization who, String method, String target) {}

  private void before(Context ctx) throws IOException {
    Endpoint endpoint = ctx.endpoints().matchedHttpEndpoint();
    if (endpoint == null) return;
    Optional<Route> route = AccessTable.http(endpoint.method.name(), endpoint.path);
    if (route.isEmpty()) return;
    Optional<Rule> rule = AccessTable.method(route.get().method());
    Authorization who = guard.authorize(ctx.header(TOKEN_HEADER));
    ctx.attribute(AUTHORIZATION, who);
    String target = target(ctx, route.get());
    String method = ctx.method().name() + " " + ctx.path();
    Identity identity = identity(ctx);
    Decision decision = guard.decide(rule, who, target);
    if (!decision.allowed()) {
      audit(new Pending(identity, who, method, target), "denied", decision.reason());
      throw new ControlException(ControlException.Code.PERMISSION_DENIED, decision.reason());
    }
    if (Guard.audited(rule)) ctx.attribute(PENDING, new Pending(identity, who, method, target));
  }

  private void after(Context ctx) {
    Pending pending = ctx.attribute(PENDING);
    if (pending == null) return;
    ctx.attribute(PENDING, null);
    int status = ctx.statusCode();
    String outcome = status < 300 ? "ok" : codeName(status);
    audit(pending, outcome, status < 300 ? "" : firstLine(ctx.result()));
  }

  private void audit(Pending p, String outcome, String reason) {
    try {
      guard.audit(p.identity(), p.who(), p.method(), p.target(), outcome, reason);
    } catch (IOException | RuntimeException e) {
      LOG.error("audit: {} {} from {} not recorded: {}", p.method(), p.target(), p.identity().remote(), e.toString());
      throw new ControlException(ControlException.Code.UNAVAILABLE, Guard.AUDIT_FAILED);
    }
  }

  private String target(Context ctx, Route route) {
    if (!route.pathParam().isEmpty()) return ctx.pathParam(route.pathParam());
    if (!route.queryParam().isEmpty()) {
      String v = ctx.queryParam(route.queryParam());
      return v == null ? "" : v;
    }
    return route.method().equals("RegisterJob") ? bodyJob.apply(ctx) : "";
  }

  private static Identity identity(Context ctx) {
    String remote = ctx.req().getRemoteAddr() + ":" + ctx.req().getRemotePort();
    Object chain = ctx.req().getAttribute("jakarta.servlet.request.X509Certificate");
    Optional<X509Certificate> cert = chain instanceof X509Certificate[] c && c.length > 0 ? Optional.of(c[0]) : Optional.empty();
    return Identity.of(remote, cert);
  }

  /** The gRPC code name of an HTTP status (HttpErrors' mapping backwards), so both transports log alike. */
  static String codeName(int status) {
    return switch (status) {
      case 400, 413, 415 -> "INVALID_ARGUMENT";
      case 403 -> "PERMISSION_DENIED";
      case 404 -> "NOT_FOUND";
      case 409 -> "FAILED_PRECONDITION";
      case 503 -> "UNAVAILABLE";
      case 501 -> "UNIMPLEMENTED";
      default -> "HTTP_" + status;
    };
  }

  private static String firstLine(String text) {
    return text == null ? "" : text.lines().findFirst().orElse("");
  }
}
