package gantry.client.resolver;

import gantry.client.EndpointAttributes;
import gantry.client.LeaderHint;
import gantry.v1.ControlServiceGrpc;
import gantry.v1.ServiceEndpoint;
import gantry.v1.ServiceEndpoints;
import gantry.v1.WatchServiceRequest;
import io.grpc.Attributes;
import io.grpc.EquivalentAddressGroup;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.NameResolver;
import io.grpc.Status;
import io.grpc.StatusOr;
import io.grpc.SynchronizationContext;
import io.grpc.SynchronizationContext.ScheduledHandle;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Resolves {@code gantry:///SERVICE} by holding one WatchService stream open to the managers'
 * leader and handing every pushed endpoint set to the channel. Nothing polls: {@link #refresh()}
 * does nothing, because the leader pushes each change.
 *
 * <p>Which manager it asks: the listed ones in turn; a follower's refusal (FAILED_PRECONDITION
 * with a NotLeaderDetail) sends it straight to the leader named there (at most
 * {@value #MAX_REDIRECTS} hops in a row). When a stream ends or fails it is opened again, with the
 * index of the last set received, after a backoff (100 ms doubling to 2 s, reset by any set).
 *
 * <p>What the channel sees: each set as one EquivalentAddressGroup per endpoint, carrying the
 * {@link EndpointAttributes}; an empty set as an empty list (the balancer then fails calls with
 * UNAVAILABLE). While no manager has answered yet, after each listed manager failed once, the
 * error is reported too, so calls fail UNAVAILABLE naming the managers instead of waiting. Once a
 * set has arrived, a lost manager does not discard it: the endpoints outlive their managers.
 *
 * <p>Threads: every field is used in the channel's synchronization context only; stream callbacks
 * hop into it and are dropped when they belong to a stream that is no longer current.
 */
final class ServiceWatchResolver extends NameResolver {
  static final int MAX_REDIRECTS = 3;
  private static final Logger log = Logger.getLogger(ServiceWatchResolver.class.getName());

  private final String service;
  private final List<String> managers;
  private final SynchronizationContext sync;
  private final ScheduledExecutorService timer;
  private final Backoff backoff;
  private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();

  private Listener2 listener;
  private ClientCallStreamObserver<WatchServiceRequest> stream;
  private long generation;
  private int cursor;
  private String redirect;
  private int redirectsInARow;
  private int failuresSinceAnswer;
  private long lastIndex;
  private boolean resolved;
  private ScheduledHandle reopen;
  private boolean shutdown;

  ServiceWatchResolver(String service, List<String> managers, Args args, Backoff backoff) {
    this.service = service;
    this.managers = List.copyOf(managers);
    this.sync = args.getSynchronizationContext();
    this.timer = args.getScheduledExecutorService();
    this.backoff = backoff;
  }

  @Override
  public String getServiceAuthority() {
    return service;
  }

  @Override
  public void start(Listener2 listener) {
    if (this.listener != null) throw new IllegalStateException("already started");
    this.listener = listener;
    sync.execute(this::open);
  }

  /** Nothing to do: the leader pushes every change, and a broken stream reopens on its own. */
  @Override
  public void refresh() {}

  @Override
  public void shutdown() {
    sync.execute(() -> {
      if (shutdown) return;
      shutdown = true;
      generation++;
      if (reopen != null) reopen.cancel();
      if (stream != null) stream.cancel("resolver shut down", null);
      channels.values().forEach(ManagedChannel::shutdownNow);
      channels.clear();
    });
  }

  private void open() {
    if (shutdown) return;
    reopen = null;
    String manager;
    if (redirect != null) {
      manager = redirect;
      redirect = null;
    } else {
      manager = managers.get(cursor);
      cursor = (cursor + 1) % managers.size();
    }
    long current = ++generation;
    var request = WatchServiceRequest.newBuilder().setName(service).setIndex(lastIndex).build();
    ControlServiceGrpc.newStub(channel(manager)).watchService(request, new ClientResponseObserver<WatchServiceRequest, ServiceEndpoints>() {
      @Override
      public void beforeStart(ClientCallStreamObserver<WatchServiceRequest> call) {
        stream = call; // called on this thread, inside watchService, so still in the sync context
      }

      @Override
      public void onNext(ServiceEndpoints set) {
        // Built here, off the sync context: an endpoint given by host name is looked up (blocking).
        List<EquivalentAddressGroup> groups = groups(set);
        sync.execute(() -> {
          if (current == generation) received(set.getIndex(), groups);
        });
      }

      @Override
      public void onError(Throwable error) {
        sync.execute(() -> {
          if (current == generation) ended(manager, Status.fromThrowable(error), error);
        });
      }

      @Override
      public void onCompleted() {
        sync.execute(() -> {
          if (current == generation) ended(manager, Status.UNAVAILABLE.withDescription("the manager ended the watch"), null);
        });
      }
    });
  }

  private void received(long index, List<EquivalentAddressGroup> groups) {
    backoff.reset();
    redirectsInARow = 0;
    failuresSinceAnswer = 0;
    lastIndex = index;
    resolved = true;
    listener.onResult2(ResolutionResult.newBuilder().setAddressesOrError(StatusOr.fromValue(groups)).build());
  }

  private void ended(String manager, Status status, Throwable error) {
    stream = null;
    if (shutdown) return;
    var hint = error == null ? null : LeaderHint.of(error).orElse(null);
    if (hint != null && hint.known() && redirectsInARow < MAX_REDIRECTS) {
      redirectsInARow++;
      redirect = hint.leaderAddress();
      open();
      return;
    }
    redirectsInARow = 0;
    failuresSinceAnswer++;
    log.log(Level.FINE, "watch of {0} at {1} ended: {2}", new Object[] {service, manager, status});
    if (!resolved && failuresSinceAnswer >= managers.size()) {
      listener.onError(Status.UNAVAILABLE.withDescription("no manager at " + String.join(",", managers)
          + " serves the endpoints of service " + service + " (last: " + manager + " " + describe(status) + ")"));
    }
    reopen = sync.schedule(this::open, backoff.nextMillis(), TimeUnit.MILLISECONDS, timer);
  }

  // gRPC reports a refused connection as "io exception"; the root cause says why.
  private static String describe(Status status) {
    Throwable root = status.getCause();
    while (root != null && root.getCause() != null) root = root.getCause();
    String detail = root != null && root.getMessage() != null ? root.getMessage() : status.getDescription();
    return status.getCode() + (detail == null ? "" : ": " + detail);
  }

  private ManagedChannel channel(String address) {
    // Keepalive: a leader cut off without a closed connection (a partition) must not hold the
    // watch for as long as TCP takes to give up. Managers permit pings every 10 s.
    return channels.computeIfAbsent(address, a -> ManagedChannelBuilder.forTarget("dns:///" + a).usePlaintext()
        .keepAliveTime(10, java.util.concurrent.TimeUnit.SECONDS).keepAliveTimeout(5, java.util.concurrent.TimeUnit.SECONDS)
        .keepAliveWithoutCalls(true)
        // Managers with ACLs on answer WatchService only to a token with jobs: read.
        .intercept(new gantry.client.TokenInterceptor(() -> System.getenv("GANTRY_TOKEN")))
        .build());
  }

  /** One group per endpoint; an endpoint whose host does not resolve is left out, with a warning. */
  static List<EquivalentAddressGroup> groups(ServiceEndpoints set) {
    List<EquivalentAddressGroup> out = new ArrayList<>(set.getEndpointsCount());
    for (ServiceEndpoint endpoint : set.getEndpointsList()) {
      var address = new InetSocketAddress(endpoint.getAddress(), endpoint.getPort());
      if (address.isUnresolved()) {
        log.warning("service " + set.getService() + ": endpoint " + endpoint.getAllocationId() + " at "
            + endpoint.getAddress() + ":" + endpoint.getPort() + " left out: its host does not resolve");
        continue;
      }
      out.add(new EquivalentAddressGroup(address, Attributes.newBuilder()
          .set(EndpointAttributes.WEIGHT, endpoint.getWeight())
          .set(EndpointAttributes.WEIGHT_SOURCE, endpoint.getWeightSource())
          .set(EndpointAttributes.ALLOCATION_ID, endpoint.getAllocationId())
          .set(EndpointAttributes.NODE_NAME, endpoint.getNodeName())
          .build()));
    }
    return out;
  }
}
