package gantry.node.http;

import gantry.node.config.HostPorts;
import gantry.node.control.ControlHandler;
import gantry.node.guard.RateLimiter;
import gantry.node.live.ServiceWatch;
import gantry.node.metrics.ManagerMetrics;
import gantry.node.raft.RaftNode;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.io.IOException;
import gantry.security.tls.TlsMaterial;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.Executors;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server on a manager's {@code --http-addr} (Javalin on Jetty 12): the {@code /v1} JSON
 * API ({@link ControlRoutes}), the event stream ({@link EventStream}), {@code /metrics}
 * ({@link MetricsEndpoint}) and the web UI at {@code /} ({@link WebUi}), behind {@link gantry.node.guard.HttpGuard} (tokens, policies, audit; {@code
 * /metrics} stays open for scrapers). Every failure,
 * including an unknown path (404) or method (405), answers {@code {"error": ..., "field": ...}}
 * with the status {@link HttpErrors} gives it.
 *
 * <p>Requests run on virtual threads (Jetty's selector and acceptor stay on a few platform
 * threads), since most of them wait on Raft.
 */
public final class HttpEndpoint implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(HttpEndpoint.class);
  /** How long a close waits for requests in flight before it cuts them. */
  private static final long STOP_TIMEOUT_MS = 2_000;

  private final Javalin app;
  private final String address;

  private HttpEndpoint(Javalin app, String address) {
    this.app = app;
    this.address = address;
  }

  /**
   * Serves the API of the peer behind {@code control} and {@code raft} on {@code address}
   * (host:port; port 0 picks a free one, see {@link #address()}); {@code /metrics} shows
   * {@code metrics}, the peer's event series, beside those read from {@code raft}. Every
   * request first passes {@code limiter} (shared with the gRPC port) and a body limit of
   * {@code maxBodyBytes} (max_message_bytes), see {@link HttpLimits}. With {@code tls}, HTTPS only
   * (TLS 1.3, a client certificate of the cluster CA required, see {@link HttpsConnector}).
   *
   * @throws IOException if the address cannot be bound
   */
  public static HttpEndpoint start(String address, ControlHandler control, ServiceWatch services,
      gantry.node.live.LiveQueries live, RaftNode raft,
      LeaderChanges changes, ManagerMetrics metrics, gantry.node.guard.Guard guard, RateLimiter limiter, int maxBodyBytes,
      Optional<TlsMaterial> tls) throws IOException {
    InetSocketAddress bind = HostPorts.parse(address);
    ControlRoutes api = new ControlRoutes(control, services, live);
    WebUi ui = WebUi.load();
    MetricsEndpoint scrape = new MetricsEndpoint(ClusterMetrics.of(raft, changes), metrics);
    QueuedThreadPool threads = new QueuedThreadPool(16, 2);
    threads.setName("gantry-http");
    threads.setVirtualThreadsExecutor(Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("gantry-http-", 0).factory()));
    Javalin app = Javalin.create(config -> {
      config.startup.showJavalinBanner = false;
      config.startup.showOldJavalinVersionWarning = false;
      config.startup.startupWatcherEnabled = false;
      config.jetty.threadPool = threads;
      config.jetty.modifyServer(server -> server.setStopTimeout(STOP_TIMEOUT_MS));
      config.http.maxRequestSize = maxBodyBytes; // a job spec has its own, smaller limit (JobSpecParser)
      config.http.prefer405over404 = true;
      tls.ifPresent(material -> config.jetty.addConnector(
          (server, http) -> HttpsConnector.of(server, http, material, bind.getHostString(), bind.getPort())));
      // First the limits (rate, body size), then the guard (token, policy, audit) of every /v1
      // request, before its handler.
      HttpLimits limits = new HttpLimits(limiter, maxBodyBytes);
      config.routes.before(limits::check);
      new gantry.node.guard.HttpGuard(guard, HttpEndpoint::bodyJob).register(config.routes);
      api.register(config.routes);
      // This peer's own applied events, as WatchEvents over gRPC: any peer answers.
      config.routes.get("/v1/event/stream", new EventStream(raft.stateMachine().events())::handle);
      config.routes.get("/metrics", scrape::handle);
      ui.register(config.routes);
      config.routes.exception(HttpResponseException.class, (e, ctx) -> fail(limits.named(e), ctx));
      config.routes.exception(Exception.class, HttpEndpoint::fail);
    });
    try {
      app.start(bind.getHostString(), bind.getPort());
    } catch (RuntimeException e) {
      throw new IOException("http_addr " + address + ": " + rootMessage(e), e);
    }
    String bound = bind.getHostString() + ":" + app.port();
    LOG.info("HTTP{} API, /metrics and the web UI on {}", tls.isPresent() ? "S" : "", bound);
    return new HttpEndpoint(app, bound);
  }

  /** The job a registration body names, for the guard's prefix check; "" when it is unreadable. */
  private static String bodyJob(Context ctx) {
    try {
      return JobSpecBody.parse(ctx.header("Content-Type"), ctx.body()).getName();
    } catch (HttpResponseException e) {
      throw e; // a body over max_message_bytes (413), cut while read: the limit answers, naming it
    } catch (RuntimeException e) {
      return ""; // the handler reads it again and answers 400 with the reason
    }
  }

  private static void fail(Exception e, Context ctx) {
    HttpErrors.Failure f = HttpErrors.of(e);
    if (f.status() >= 500 && f.status() != 501 && f.status() != 503) LOG.warn("HTTP {} {}: {}", ctx.method(), ctx.path(), e.toString(), e);
    ctx.status(f.status()).contentType(ProtoJson.CONTENT_TYPE).result(ProtoJson.error(f.message(), f.field()));
  }

  /** host:port actually bound (resolves a configured port 0). */
  public String address() {
    return address;
  }

  @Override
  public void close() {
    try {
      app.stop();
    } catch (RuntimeException e) {
      LOG.warn("stopping the HTTP server: {}", e.toString());
    }
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null) t = t.getCause();
    return t.getMessage();
  }
}
