package gantry.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.client.test.BackendGrpc;
import gantry.client.test.WhoRequest;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The client end to end on loopback: a fake manager streams endpoint sets, real servers take the
 * calls, and a {@code gantry:///svc} channel spreads them by each policy.
 */
class GantryChannelsTest {
  static final Duration WAIT = Duration.ofSeconds(15);
  final List<AutoCloseable> closing = new ArrayList<>();
  ManagedChannel channel;

  @AfterEach
  void close() throws Exception {
    if (channel != null) {
      channel.shutdownNow();
      channel.awaitTermination(5, TimeUnit.SECONDS);
    }
    for (AutoCloseable c : closing.reversed()) c.close();
  }

  <T extends AutoCloseable> T closing(T resource) {
    closing.add(resource);
    return resource;
  }

  String who() {
    return BackendGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS).who(WhoRequest.getDefaultInstance()).getName();
  }

  /** Calls until every one of {@code names} has answered, so that all are READY in the picker. */
  void warmUp(Set<String> names) {
    Set<String> seen = new HashSet<>();
    Await.until(WAIT, "calls reach all of " + names, () -> {
      try {
        seen.add(who());
      } catch (StatusRuntimeException notYet) {
        // before the first set arrives, or while connecting
      }
      return seen.containsAll(names);
    });
  }

  List<String> calls(int n) {
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) out.add(who());
    return out;
  }

  static Map<String, Integer> counts(List<String> names) {
    Map<String, Integer> out = new TreeMap<>();
    for (String name : names) out.merge(name, 1, Integer::sum);
    return out;
  }

  static void assertShare(double expected, int count, int total, double tolerance, String name) {
    double share = (double) count / total;
    assertTrue(Math.abs(share - expected) <= tolerance,
        name + " got " + count + " of " + total + " (" + share + "), expected " + expected + " +- " + tolerance);
  }

  ManagedChannel threeBackends(String policy, long wa, long wb, long wc) {
    var backends = closing(new TestBackends("a", "b", "c"));
    var control = closing(new FakeControl());
    control.push(1, List.of(backends.endpoint("a", wa), backends.endpoint("b", wb), backends.endpoint("c", wc)));
    channel = GantryChannels.forService("svc", List.of(control.address()), policy);
    warmUp(Set.of("a", "b", "c"));
    return channel;
  }

  @Test
  void weightedSplitsByWeightExactlyOverEveryWindowOfSix() {
    threeBackends("weighted", 1000, 2000, 3000);
    List<String> order = calls(6000);
    var counts = counts(order);
    assertShare(1 / 6.0, counts.get("a"), 6000, 0.01, "a");
    assertShare(2 / 6.0, counts.get("b"), 6000, 0.01, "b");
    assertShare(3 / 6.0, counts.get("c"), 6000, 0.01, "c");
    for (int i = 0; i + 6 <= order.size(); i++) {
      assertEquals(Map.of("a", 1, "b", 2, "c", 3), counts(order.subList(i, i + 6)), "calls " + i + ".." + (i + 5) + ": " + order.subList(i, i + 6));
    }
  }

  @Test
  void roundRobinSplitsEvenly() {
    threeBackends("round_robin", 1000, 2000, 3000);
    var counts = counts(calls(6000));
    for (String name : List.of("a", "b", "c")) assertShare(1 / 3.0, counts.get(name), 6000, 0.01, name);
  }

  @Test
  void randomSplitsRoughlyEvenly() {
    threeBackends("random", 1000, 2000, 3000);
    var counts = counts(calls(6000));
    // One standard deviation is 0.6 points here; 4 points is far out of chance's reach.
    for (String name : List.of("a", "b", "c")) assertShare(1 / 3.0, counts.get(name), 6000, 0.04, name);
  }

  @Test
  void aNewSetMovesTrafficOffTheRemovedEndpoint() {
    var backends = closing(new TestBackends("a", "b", "c"));
    var control = closing(new FakeControl());
    control.push(1, List.of(backends.endpoint("a", 1), backends.endpoint("b", 1), backends.endpoint("c", 1)));
    channel = GantryChannels.forService("svc", List.of(control.address()), "weighted");
    warmUp(Set.of("a", "b", "c"));

    backends.add("d");
    control.push(2, List.of(backends.endpoint("a", 1), backends.endpoint("b", 1), backends.endpoint("d", 1)));
    // d is only in the new set: once it answers, the channel has the new set.
    warmUp(Set.of("d"));
    long cBefore = backends.calls("c");
    var counts = counts(calls(600));
    assertEquals(cBefore, backends.calls("c"), "c took calls after it left the set");
    assertEquals(Set.of("a", "b", "d"), counts.keySet(), counts.toString());
  }

  @Test
  void aKilledEndpointLosesItsTrafficAndOnlyCallsInFlightFail() throws Exception {
    var backends = closing(new TestBackends("a", "b", "c"));
    var control = closing(new FakeControl());
    control.push(1, List.of(backends.endpoint("a", 1), backends.endpoint("b", 1), backends.endpoint("c", 1)));
    channel = GantryChannels.forService("svc", List.of(control.address()), "weighted");
    warmUp(Set.of("a", "b", "c"));

    int threads = 4;
    var load = new Load(threads, this::who);
    try {
      Await.until(WAIT, "500 calls before the kill", () -> load.succeeded() >= 500);
      backends.kill("c");
      long cAtKill = backends.calls("c");
      long okAtKill = load.succeeded();
      Await.until(WAIT, "2000 calls after the kill", () -> load.succeeded() >= okAtKill + 2000);
      load.stop();
      System.out.println("calls failed around the kill: " + load.failed());
      assertTrue(load.failed().size() <= threads, "more failures than calls in flight: " + load.failed());
      // shutdownNow resets the streams it has (CANCELLED); a crashed process's reset connection reads UNAVAILABLE.
      for (Status status : load.failed()) {
        assertTrue(Set.of(Status.Code.UNAVAILABLE, Status.Code.CANCELLED).contains(status.getCode()), status.toString());
      }
      assertEquals(cAtKill, backends.calls("c"));
      assertFalse(load.answeredBy("c", okAtKill + threads), "c answered after it was killed");
    } finally {
      load.stop();
    }
  }

  @Test
  void anEmptySetFailsCallsUnavailableUntilEndpointsCome() {
    var backends = closing(new TestBackends("a"));
    var control = closing(new FakeControl());
    control.push(1, List.of());
    for (String policy : List.of("weighted", "random")) {
      channel = GantryChannels.forService("svc", List.of(control.address()), policy);
      var e = assertThrows(StatusRuntimeException.class, this::who);
      assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());
      assertTrue(e.getStatus().getDescription().contains("no endpoints"), e.getStatus().toString());
      channel.shutdownNow();
    }
    channel = GantryChannels.forService("svc", List.of(control.address()), "weighted");
    assertThrows(StatusRuntimeException.class, this::who);
    control.push(2, List.of(backends.endpoint("a", 1)));
    warmUp(Set.of("a"));
  }

  @Test
  void callsFailNamingTheManagersWhenNoneAnswers() {
    String dead1 = FakeControl.deadAddress();
    String dead2 = FakeControl.deadAddress();
    channel = GantryChannels.forService("svc", List.of(dead1, dead2), "weighted");
    var e = assertThrows(StatusRuntimeException.class, this::who);
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), e.getStatus().toString());
    assertTrue(e.getStatus().getDescription().contains("no manager at " + dead1 + "," + dead2), e.getStatus().toString());
  }

  @Test
  void theResolverFailsOverFollowsTheLeaderAndResumesFromItsIndex() {
    var backends = closing(new TestBackends("a", "b"));
    var follower = closing(new FakeControl());
    var leader = closing(new FakeControl());
    leader.push(5, List.of(backends.endpoint("a", 1)));
    follower.stepDown(leader.address());
    // The first listed manager is down; the second is a follower that names a leader nobody listed.
    channel = GantryChannels.forService("svc", List.of(FakeControl.deadAddress(), follower.address()), "round_robin");
    warmUp(Set.of("a"));
    assertEquals(0, leader.requests().getFirst().getIndex());

    // Leadership moves to the listed peer, which now has a newer set.
    follower.lead(9, List.of(backends.endpoint("b", 1)));
    leader.stepDown(follower.address());
    warmUp(Set.of("b"));
    var resumed = follower.requests().getLast();
    assertEquals("svc", resumed.getName());
    assertEquals(5, resumed.getIndex(), "the watch reopened without its last index");
  }

  @Test
  void badArgumentsAreRefusedNamingThem() {
    var e = assertThrows(IllegalArgumentException.class, () -> GantryChannels.forService("svc", List.of("127.0.0.1:1"), "fastest"));
    assertTrue(e.getMessage().startsWith("policy: expected one of round_robin, random, weighted"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> GantryChannels.forService("svc", List.of("nohost"), "weighted"));
    assertTrue(e.getMessage().startsWith("managers: expected host:port"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> GantryChannels.forService("", List.of("127.0.0.1:1"), "weighted"));
    assertTrue(e.getMessage().startsWith("service: "), e.getMessage());
  }
}
