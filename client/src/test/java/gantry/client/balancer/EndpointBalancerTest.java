package gantry.client.balancer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.client.EndpointAttributes;
import io.grpc.Attributes;
import io.grpc.ConnectivityState;
import io.grpc.ConnectivityStateInfo;
import io.grpc.EquivalentAddressGroup;
import io.grpc.LoadBalancer;
import io.grpc.LoadBalancer.CreateSubchannelArgs;
import io.grpc.LoadBalancer.ResolvedAddresses;
import io.grpc.LoadBalancer.Subchannel;
import io.grpc.LoadBalancer.SubchannelPicker;
import io.grpc.LoadBalancer.SubchannelStateListener;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The balancer's bookkeeping against an in-memory helper: no sockets, states driven by hand. */
class EndpointBalancerTest {
  static final class FakeSubchannel extends Subchannel {
    final int port;
    SubchannelStateListener listener;
    int connectRequests;
    boolean shutdown;

    FakeSubchannel(int port) {
      this.port = port;
    }

    @Override
    public void start(SubchannelStateListener listener) {
      this.listener = listener;
    }

    void becomes(ConnectivityState state) {
      listener.onSubchannelState(state == ConnectivityState.TRANSIENT_FAILURE
          ? ConnectivityStateInfo.forTransientFailure(Status.UNAVAILABLE.withDescription("refused " + port))
          : ConnectivityStateInfo.forNonError(state));
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }

    @Override
    public void requestConnection() {
      connectRequests++;
    }

    @Override
    public void updateAddresses(List<EquivalentAddressGroup> addresses) {}

    @Override
    public Attributes getAttributes() {
      return Attributes.EMPTY;
    }

    @Override
    public String toString() {
      return "sub" + port;
    }
  }

  final List<FakeSubchannel> created = new ArrayList<>();
  ConnectivityState state;
  SubchannelPicker picker;

  final LoadBalancer.Helper helper = new LoadBalancer.Helper() {
    @Override
    public Subchannel createSubchannel(CreateSubchannelArgs args) {
      var sub = new FakeSubchannel(((InetSocketAddress) args.getAddresses().getFirst().getAddresses().getFirst()).getPort());
      created.add(sub);
      return sub;
    }

    @Override
    public void updateBalancingState(ConnectivityState newState, SubchannelPicker newPicker) {
      state = newState;
      picker = newPicker;
    }

    @Override
    public ManagedChannel createOobChannel(EquivalentAddressGroup eag, String authority) {
      throw new UnsupportedOperationException();
    }

    @Override
    public String getAuthority() {
      return "svc";
    }
  };

  final EndpointBalancer balancer = new EndpointBalancer(helper, SmoothWeightedPicker::new);

  static EquivalentAddressGroup endpoint(int port, long weight) {
    return new EquivalentAddressGroup(new InetSocketAddress("127.0.0.1", port),
        Attributes.newBuilder().set(EndpointAttributes.WEIGHT, weight).build());
  }

  void resolve(EquivalentAddressGroup... groups) {
    assertTrue(balancer.acceptResolvedAddresses(ResolvedAddresses.newBuilder().setAddresses(List.of(groups)).build()).isOk());
  }

  FakeSubchannel sub(int port) {
    return created.stream().filter(s -> s.port == port && !s.shutdown).findFirst().orElseThrow();
  }

  Set<String> picks(int n) {
    Set<String> out = new HashSet<>();
    for (int i = 0; i < n; i++) {
      var result = picker.pickSubchannel(null);
      assertTrue(result.getStatus().isOk(), result.toString());
      out.add(String.valueOf(result.getSubchannel()));
    }
    return out;
  }

  @Test
  void onlyReadyEndpointsTakePicksAndALostConnectionStopsThemAtOnce() {
    resolve(endpoint(1, 1), endpoint(2, 1), endpoint(1, 5));
    assertEquals(2, created.size(), "an endpoint listed twice gets one subchannel");
    assertEquals(ConnectivityState.CONNECTING, state);
    assertTrue(picker.pickSubchannel(null).getSubchannel() == null && picker.pickSubchannel(null).getStatus().isOk(), "calls wait while connecting");

    sub(1).becomes(ConnectivityState.READY);
    sub(2).becomes(ConnectivityState.READY);
    assertEquals(ConnectivityState.READY, state);
    assertEquals(Set.of("sub1", "sub2"), picks(10));

    int before = sub(2).connectRequests;
    sub(2).becomes(ConnectivityState.IDLE); // the server closed the connection
    assertEquals(Set.of("sub1"), picks(10));
    assertEquals(before + 1, sub(2).connectRequests, "an IDLE endpoint is asked to reconnect");
  }

  @Test
  void aNewSetClosesRemovedEndpointsAfterThePickerMovedOff() {
    resolve(endpoint(1, 1), endpoint(2, 1));
    sub(1).becomes(ConnectivityState.READY);
    sub(2).becomes(ConnectivityState.READY);
    FakeSubchannel two = sub(2);
    resolve(endpoint(1, 1), endpoint(3, 1));
    assertTrue(two.shutdown);
    assertEquals(Set.of("sub1"), picks(10));
    two.becomes(ConnectivityState.READY); // a late state change of a removed one changes nothing
    assertEquals(Set.of("sub1"), picks(10));
    sub(3).becomes(ConnectivityState.READY);
    assertEquals(Set.of("sub1", "sub3"), picks(10));
  }

  @Test
  void everyEndpointFailingOrNoneAtAllFailsCallsUnavailable() {
    resolve(endpoint(1, 1), endpoint(2, 1));
    sub(1).becomes(ConnectivityState.TRANSIENT_FAILURE);
    assertEquals(ConnectivityState.CONNECTING, state, "2 is still connecting for the first time");
    sub(2).becomes(ConnectivityState.TRANSIENT_FAILURE);
    assertEquals(ConnectivityState.TRANSIENT_FAILURE, state);
    sub(1).becomes(ConnectivityState.CONNECTING); // retrying, but it failed before: still failing
    assertEquals(ConnectivityState.TRANSIENT_FAILURE, state);
    Status status = picker.pickSubchannel(null).getStatus();
    assertEquals(Status.Code.UNAVAILABLE, status.getCode());
    assertTrue(status.getDescription().startsWith("no endpoint of the service is reachable"), status.toString());

    resolve();
    assertEquals(ConnectivityState.TRANSIENT_FAILURE, state);
    assertTrue(picker.pickSubchannel(null).getStatus().getDescription().contains("no endpoints"));
    assertTrue(created.stream().allMatch(s -> s.shutdown), "an empty set closes every subchannel");
    assertFalse(created.isEmpty());
  }
}
