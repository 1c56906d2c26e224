package gantry.cli.it;

import static gantry.cli.it.AgentDockerClusterIT.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.client.GantryChannels;
import gantry.examples.echo.v1.EchoGrpc;
import gantry.examples.echo.v1.EchoReply;
import gantry.examples.echo.v1.EchoRequest;
import gantry.v1.GetServiceEndpointsRequest;
import gantry.v1.RegisterJobRequest;
import gantry.v1.ServiceEndpoint;
import gantry.v1.ServiceEndpoints;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The echo service (examples/echo) run by the exec driver on three agents of 1000, 2000 and 3000
 * millicores, called through {@code gantry:///echo} by the client library as a user's program
 * would: the weighted split follows the nodes' CPU, round_robin is even, {@code gantry service
 * endpoints} shows what the clients use, a killed replica's traffic moves to the others, and the
 * event stream's service topic follows the endpoints.
 */
class ServiceLbIT {
  static final int CALLS = 6_000;

  @TempDir static Path dir;
  static OneManager cluster;
  static List<String> managers;

  @BeforeAll
  static void start() throws Exception {
    Map<String, List<String>> agents = new LinkedHashMap<>();
    for (int i = 1; i <= 3; i++) {
      agents.put("n" + i, List.of("--cpu", Integer.toString(1000 * i), "--advertise", "127.0.0.1"));
    }
    cluster = OneManager.start(dir, "ServiceLbIT", "exec", agents);
    managers = List.of(cluster.addresses().split(","));
    cluster.stub().registerJob(RegisterJobRequest.newBuilder()
        .setSpec(EchoJob.job("echo", EchoJob.group("echo", 3, 100, true))).build());
    await("3 endpoints of echo", 120, () -> endpoints().getEndpointsCount() == 3);
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null) cluster.close();
  }

  static ServiceEndpoints endpoints() {
    return cluster.stub().getServiceEndpoints(GetServiceEndpointsRequest.newBuilder().setName("echo").build());
  }

  /** node name -> calls answered there, over {@code calls} calls once every endpoint answers. */
  static Map<String, Integer> split(String policy, int calls) {
    // A replica killed by another test is replaced first.
    await("3 endpoints of echo", 120, () -> endpoints().getEndpointsCount() == 3);
    ManagedChannel ch = GantryChannels.forService("echo", managers, policy);
    try {
      var stub = EchoGrpc.newBlockingStub(ch);
      // Connections open as the balancer sees the endpoints: count once all three answer.
      java.util.Set<String> seen = new java.util.HashSet<>();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (seen.size() < 3 && System.nanoTime() < deadline) {
        seen.add(stub.withDeadlineAfter(5, TimeUnit.SECONDS).echo(EchoRequest.newBuilder().setMessage("warm").build()).getNode());
      }
      assertEquals(3, seen.size(), "every endpoint answers within 30 s: " + seen);
      Map<String, Integer> byNode = new HashMap<>();
      for (int i = 0; i < calls; i++) {
        EchoReply r = stub.withDeadlineAfter(5, TimeUnit.SECONDS).echo(EchoRequest.newBuilder().setMessage("m" + i).build());
        byNode.merge(r.getNode(), 1, Integer::sum);
      }
      return byNode;
    } finally {
      ch.shutdownNow();
    }
  }

  static double maxDeviationPp(Map<String, Integer> byNode, Map<String, Double> expected, int calls) {
    double worst = 0;
    for (var e : expected.entrySet()) {
      double share = 100.0 * byNode.getOrDefault(e.getKey(), 0) / calls;
      worst = Math.max(worst, Math.abs(share - 100 * e.getValue()));
    }
    return worst;
  }

  @Test
  void theWeightedSplitFollowsTheNodesCpu() {
    ServiceEndpoints set = endpoints();
    Map<String, Long> weights = new HashMap<>();
    for (ServiceEndpoint e : set.getEndpointsList()) {
      assertEquals("127.0.0.1", e.getAddress(), "the agents' --advertise");
      assertEquals("capacity", e.getWeightSource());
      weights.put(e.getNodeName(), e.getWeight());
    }
    assertEquals(Map.of("n1", 1000L, "n2", 2000L, "n3", 3000L), weights);

    Map<String, Integer> byNode = split("weighted", CALLS);
    double dev = maxDeviationPp(byNode, Map.of("n1", 1 / 6.0, "n2", 2 / 6.0, "n3", 3 / 6.0), CALLS);
    assertTrue(dev <= 1.0, "weighted split " + byNode + " is " + dev + " points from 1/6, 2/6, 3/6");
  }

  @Test
  void roundRobinIsEven() {
    Map<String, Integer> byNode = split("round_robin", CALLS);
    double dev = maxDeviationPp(byNode, Map.of("n1", 1 / 3.0, "n2", 1 / 3.0, "n3", 1 / 3.0), CALLS);
    assertTrue(dev <= 1.0, "round_robin split " + byNode + " is " + dev + " points from 1/3 each");
  }

  @Test
  void theCliListsTheServiceAndItsEndpoints() throws Exception {
    String ls = Gantry.ok(Gantry.runAt(cluster.addresses(), "service", "ls"));
    assertTrue(ls.lines().anyMatch(l -> l.startsWith("echo ") && l.contains(" 3 ")), ls);
    String table = Gantry.ok(Gantry.runAt(cluster.addresses(), "service", "endpoints", "echo"));
    assertTrue(table.contains("50.0%") && table.contains("16.7%") && table.contains("33.3%"), table);
    String json = Gantry.ok(Gantry.runAt(cluster.addresses(), "service", "endpoints", "echo", "--json"));
    var parsed = gantry.v1.ServiceEndpoints.newBuilder();
    com.google.protobuf.util.JsonFormat.parser().merge(json, parsed);
    assertEquals(3, parsed.getEndpointsCount());
    var missing = Gantry.runAt(cluster.addresses(), "service", "endpoints", "nope");
    assertEquals(1, missing.exit());
    assertTrue(missing.stderr().contains("service \"nope\" not found"), missing.stderr());
  }

  /**
   * Four threads call without pause; the replica on n3 (half the traffic) is killed with SIGKILL.
   * The calls in flight to it may fail; every later call goes to the other replicas.
   */
  @Test
  void aKilledReplicasTrafficMovesToTheOthers() throws Exception {
    await("3 endpoints of echo", 120, () -> endpoints().getEndpointsCount() == 3);
    ManagedChannel ch = GantryChannels.forService("echo", managers, "weighted");
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong killedPid = new AtomicLong(-1);
    AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
    List<String> failures = Collections.synchronizedList(new ArrayList<>());
    AtomicLong okAfterKill = new AtomicLong();
    AtomicLong answeredByDeadAfterKill = new AtomicLong();
    Map<String, Long> pidOfNode = new java.util.concurrent.ConcurrentHashMap<>();
    List<Thread> callers = new ArrayList<>();
    try {
      var stub = EchoGrpc.newBlockingStub(ch);
      for (int t = 0; t < 4; t++) {
        callers.add(Thread.ofPlatform().start(() -> {
          while (!stop.get()) {
            long started = System.nanoTime();
            try {
              EchoReply r = stub.withDeadlineAfter(5, TimeUnit.SECONDS).echo(EchoRequest.newBuilder().setMessage("x").build());
              pidOfNode.putIfAbsent(r.getNode(), r.getPid());
              if (started > killedAt.get()) {
                okAfterKill.incrementAndGet();
                if (r.getPid() == killedPid.get()) answeredByDeadAfterKill.incrementAndGet();
              }
            } catch (StatusRuntimeException e) {
              failures.add(e.getStatus().getCode() + " " + (started > killedAt.get() ? "started after the kill" : "in flight"));
            }
          }
        }));
      }
      await("every replica answered", 30, () -> pidOfNode.size() == 3);
      long pid = pidOfNode.get("n3");
      killedPid.set(pid);
      ProcessHandle victim = ProcessHandle.of(pid).orElseThrow();
      // After the signal is sent, not before: a call started between the two can be answered by
      // the replica before the signal reaches it (CI saw two).
      victim.destroyForcibly();
      killedAt.set(System.nanoTime());
      assertTrue(victim.onExit().get(10, TimeUnit.SECONDS) != null);
      await("1,000 calls answered after the kill", 60, () -> okAfterKill.get() >= 1_000);
    } finally {
      stop.set(true);
      for (Thread t : callers) t.join(10_000);
      ch.shutdownNow();
    }
    assertEquals(0, answeredByDeadAfterKill.get());
    assertTrue(failures.size() <= 4, "at most the 4 calls in flight fail: " + failures);
  }

  /**
   * {@code gantry events --topic service --key echo} from the start: the endpoints its events
   * register and deregister are, once caught up, exactly those the leader serves; a replica
   * killed with SIGKILL leaves (ServiceDeregistered) and its replacement joins, and the two sets
   * agree again.
   */
  @Test
  void theServiceEventsFollowTheEndpointsThroughAKilledReplica() throws Exception {
    await("3 endpoints of echo", 120, () -> endpoints().getEndpointsCount() == 3);
    List<gantry.v1.Event> events = Collections.synchronizedList(new ArrayList<>());
    Process follow = new ProcessBuilder(Gantry.command("events", "--topic", "service", "--key", "echo", "--index", "1",
        "--address", cluster.addresses())).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    Thread reader = Thread.ofPlatform().daemon().start(() -> {
      try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(follow.getInputStream()))) {
        for (String line; (line = lines.readLine()) != null; ) {
          var e = gantry.v1.Event.newBuilder();
          com.google.protobuf.util.JsonFormat.parser().merge(line, e);
          events.add(e.build());
        }
      } catch (java.io.IOException ended) {
        // the process was stopped
      }
    });
    try {
      await("the events' endpoints are the leader's", 60, () -> registered(events).equals(endpointIds()));
      List<gantry.v1.Event> seen = List.copyOf(events);
      assertTrue(seen.stream().allMatch(e -> e.getTopic().equals("service") && e.getKey().equals("echo")), seen.toString());
      ServiceEndpoint victim = endpoints().getEndpoints(0);
      var ch = io.grpc.ManagedChannelBuilder.forAddress(victim.getAddress(), victim.getPort()).usePlaintext().build();
      long pid;
      try {
        pid = EchoGrpc.newBlockingStub(ch).withDeadlineAfter(5, TimeUnit.SECONDS).echo(EchoRequest.newBuilder().setMessage("pid").build()).getPid();
      } finally {
        ch.shutdownNow();
      }
      ProcessHandle.of(pid).orElseThrow().destroyForcibly();
      await("ServiceDeregistered for the killed replica's allocation", 60, () -> List.copyOf(events).stream()
          .anyMatch(e -> e.getType().equals("ServiceDeregistered") && e.getServiceEndpoint().getAllocationId().equals(victim.getAllocationId())));
      await("3 endpoints of echo again, as the events say", 120, () -> {
        Set<String> now = endpointIds();
        return now.size() == 3 && !now.contains(victim.getAllocationId()) && registered(events).equals(now);
      });
      gantry.v1.Event left = List.copyOf(events).stream().filter(e -> e.getType().equals("ServiceDeregistered")
          && e.getServiceEndpoint().getAllocationId().equals(victim.getAllocationId())).findFirst().orElseThrow();
      assertEquals(victim.getPort(), left.getServiceEndpoint().getPort(), "the endpoint as it was");
      assertEquals(victim.getWeight(), left.getServiceEndpoint().getWeight());
    } finally {
      follow.destroyForcibly();
      follow.onExit().get(10, TimeUnit.SECONDS);
      reader.join(10_000);
    }
  }

  static Set<String> endpointIds() {
    return endpoints().getEndpointsList().stream().map(ServiceEndpoint::getAllocationId).collect(Collectors.toCollection(TreeSet::new));
  }

  /** The allocations the events leave registered, replaying them in order. */
  static Set<String> registered(List<gantry.v1.Event> events) {
    Set<String> ids = new TreeSet<>();
    for (gantry.v1.Event e : List.copyOf(events)) {
      if (e.getType().equals("ServiceRegistered")) ids.add(e.getServiceEndpoint().getAllocationId());
      if (e.getType().equals("ServiceDeregistered")) ids.remove(e.getServiceEndpoint().getAllocationId());
    }
    return ids;
  }
}
