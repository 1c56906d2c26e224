package gantry.client.balancer;

import static io.grpc.ConnectivityState.CONNECTING;
import static io.grpc.ConnectivityState.IDLE;
import static io.grpc.ConnectivityState.READY;
import static io.grpc.ConnectivityState.SHUTDOWN;
import static io.grpc.ConnectivityState.TRANSIENT_FAILURE;

import gantry.client.EndpointAttributes;
import io.grpc.ConnectivityState;
import io.grpc.ConnectivityStateInfo;
import io.grpc.EquivalentAddressGroup;
import io.grpc.LoadBalancer;
import io.grpc.Status;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One subchannel per resolved endpoint, kept connected; calls go to the READY ones only, spread by
 * the policy's {@link PickerFactory}. The picker is rebuilt on every change of the READY set (a
 * subchannel's state, a new endpoint set, a changed weight), so an endpoint whose connection
 * closes gets no further picks from that moment.
 *
 * <p>Per endpoint, the subchannel's state decides:
 * <pre>
 * READY              takes picks
 * IDLE               connection lost or never opened: asked to connect at once (as round_robin)
 * CONNECTING         no picks; after a failure it still counts as failing (sticky), so that with
 *                    every endpoint down calls fail fast rather than waiting through each retry
 * TRANSIENT_FAILURE  no picks; the subchannel retries with its own backoff
 * </pre>
 * The channel's state: READY if any endpoint is; else CONNECTING if any is connecting for the
 * first time; else TRANSIENT_FAILURE, whose picker fails calls with UNAVAILABLE naming the last
 * error. An empty endpoint set closes every subchannel and fails calls with UNAVAILABLE at once
 * (wait-for-ready calls wait for the next set instead).
 *
 * <p>Runs in the channel's synchronization context, as gRPC calls every LoadBalancer method.
 */
public final class EndpointBalancer extends LoadBalancer {
  private final Helper helper;
  private final PickerFactory pickers;
  private final Map<List<SocketAddress>, Endpoint> endpoints = new LinkedHashMap<>();
  private List<ReadyEndpoint> published;
  private ConnectivityState publishedState;

  /** The per-endpoint state; weight and attributes follow each resolved set. */
  private static final class Endpoint {
    final Subchannel subchannel;
    ConnectivityStateInfo state = ConnectivityStateInfo.forNonError(IDLE);
    boolean failing;
    long weight;
    boolean removed;

    Endpoint(Subchannel subchannel) {
      this.subchannel = subchannel;
    }
  }

  public EndpointBalancer(Helper helper, PickerFactory pickers) {
    this.helper = helper;
    this.pickers = pickers;
  }

  @Override
  public Status acceptResolvedAddresses(ResolvedAddresses resolved) {
    List<EquivalentAddressGroup> groups = resolved.getAddresses();
    Map<List<SocketAddress>, Endpoint> next = new LinkedHashMap<>();
    for (EquivalentAddressGroup group : groups) {
      if (next.containsKey(group.getAddresses())) continue; // listed twice: the first one counts
      Endpoint endpoint = endpoints.remove(group.getAddresses());
      if (endpoint == null) {
        endpoint = start(group);
      } else {
        endpoint.subchannel.updateAddresses(List.of(group));
      }
      Long weight = group.getAttributes().get(EndpointAttributes.WEIGHT);
      endpoint.weight = weight == null ? 1 : weight;
      next.put(group.getAddresses(), endpoint);
    }
    List<Endpoint> gone = new ArrayList<>(endpoints.values());
    endpoints.clear();
    endpoints.putAll(next);
    gone.forEach(e -> e.removed = true);
    if (endpoints.isEmpty()) {
      fail(Status.UNAVAILABLE.withDescription("the service has no endpoints (the resolver's set is empty)"));
    } else {
      publish();
    }
    // After the new picker is in place, so that no pick lands on a subchannel being closed.
    gone.forEach(e -> e.subchannel.shutdown());
    return Status.OK;
  }

  private Endpoint start(EquivalentAddressGroup group) {
    Subchannel subchannel = helper.createSubchannel(CreateSubchannelArgs.newBuilder().setAddresses(group).build());
    Endpoint endpoint = new Endpoint(subchannel);
    subchannel.start(state -> onState(endpoint, state));
    subchannel.requestConnection();
    return endpoint;
  }

  private void onState(Endpoint endpoint, ConnectivityStateInfo state) {
    if (endpoint.removed || state.getState() == SHUTDOWN) return;
    endpoint.state = state;
    switch (state.getState()) {
      case READY -> endpoint.failing = false;
      case TRANSIENT_FAILURE -> endpoint.failing = true;
      case IDLE -> endpoint.subchannel.requestConnection();
      default -> { }
    }
    publish();
  }

  /** Tells the channel the current state and, when the READY set changed, a new picker. */
  private void publish() {
    List<ReadyEndpoint> ready = new ArrayList<>();
    boolean connecting = false;
    Status lastFailure = null;
    for (Endpoint endpoint : endpoints.values()) {
      switch (endpoint.state.getState()) {
        case READY -> ready.add(new ReadyEndpoint(endpoint.subchannel, endpoint.weight));
        case TRANSIENT_FAILURE -> lastFailure = endpoint.state.getStatus();
        default -> connecting |= !endpoint.failing;
      }
    }
    if (!ready.isEmpty()) {
      if (publishedState == READY && ready.equals(published)) return; // keeps the weighted picker's rotation going
      published = List.copyOf(ready);
      publishedState = READY;
      helper.updateBalancingState(READY, pickers.picker(published));
    } else if (connecting) {
      published = null;
      publishedState = CONNECTING;
      helper.updateBalancingState(CONNECTING, new FixedResultPicker(PickResult.withNoResult()));
    } else {
      fail(Status.UNAVAILABLE.withDescription("no endpoint of the service is reachable"
          + (lastFailure == null ? "" : " (last error: " + lastFailure + ")"))
          .withCause(lastFailure == null ? null : lastFailure.getCause()));
    }
  }

  private void fail(Status status) {
    published = null;
    publishedState = TRANSIENT_FAILURE;
    helper.updateBalancingState(TRANSIENT_FAILURE, new FixedResultPicker(PickResult.withError(status)));
  }

  /** Before any set, or when a set could not be had: fail calls unless endpoints are serving. */
  @Override
  public void handleNameResolutionError(Status error) {
    if (publishedState != READY) fail(error);
  }

  @Override
  public void requestConnection() {
    for (Endpoint endpoint : endpoints.values()) {
      if (endpoint.state.getState() == IDLE) endpoint.subchannel.requestConnection();
    }
  }

  @Override
  public void shutdown() {
    for (Endpoint endpoint : endpoints.values()) {
      endpoint.removed = true;
      endpoint.subchannel.shutdown();
    }
    endpoints.clear();
  }
}
