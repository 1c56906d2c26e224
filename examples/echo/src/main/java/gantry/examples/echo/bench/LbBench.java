package gantry.examples.echo.bench;

import gantry.client.ControlClient;
import gantry.client.GantryChannels;
import gantry.examples.echo.v1.EchoGrpc;
import gantry.examples.echo.v1.EchoReply;
import gantry.examples.echo.v1.EchoRequest;
import gantry.v1.GetServiceEndpointsRequest;
import gantry.v1.ServiceEndpoint;
import gantry.v1.ServiceEndpoints;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The load-balancing benchmark's driver (scripts/bench/lb.sh), against a cluster running the echo
 * service: per round, the split of {@code --calls} calls through {@code gantry:///SERVICE} with
 * {@code weighted} and {@code round_robin} against the endpoints' weights (the largest gap, in
 * percentage points), the time per call through the balancer and over direct channels to the same
 * endpoints, and the death of the heaviest endpoint (SIGKILL of its process, same host) while four
 * threads call: from the kill to the start of the last call that still went to it. Prints RESULT
 * lines with the medians over the rounds.
 */
public final class LbBench {
  private static final EchoRequest HELLO = EchoRequest.newBuilder().setMessage("hello").build();

  private final List<String> managers;
  private final String service;
  private final ControlClient control;

  private LbBench(List<String> managers, String service) {
    this.managers = managers;
    this.service = service;
    this.control = new ControlClient(managers, Duration.ofSeconds(10));
  }

  public static void main(String[] argv) throws Exception {
    BenchArgs args = BenchArgs.parse(argv, Map.of("--service", "echo", "--calls", "6000", "--rounds", "3",
        "--overhead-calls", "20000"));
    LbBench bench = new LbBench(args.managers(), args.text("--service"));
    int calls = args.number("--calls");
    List<Double> weighted = new ArrayList<>();
    List<Double> roundRobin = new ArrayList<>();
    List<Long> death = new ArrayList<>();
    List<Long> deathFailures = new ArrayList<>();
    List<Double> viaLb = new ArrayList<>();
    List<Double> direct = new ArrayList<>();
    int n = bench.endpoints().getEndpointsCount();
    if (n < 2) throw new IllegalStateException("service " + args.text("--service") + " has " + n + " endpoints; 2 or more needed");
    for (int round = 1; round <= args.number("--rounds"); round++) {
      ServiceEndpoints set = bench.awaitEndpoints(n);
      Map<String, Double> byWeight = new HashMap<>();
      Map<String, Double> even = new HashMap<>();
      long total = set.getEndpointsList().stream().mapToLong(ServiceEndpoint::getWeight).sum();
      for (ServiceEndpoint e : set.getEndpointsList()) {
        byWeight.put(e.getAllocationId(), (double) e.getWeight() / total);
        even.put(e.getAllocationId(), 1.0 / n);
      }
      weighted.add(maxGapPp(bench.split("weighted", calls, n), byWeight, calls));
      roundRobin.add(maxGapPp(bench.split("round_robin", calls, n), even, calls));
      double[] perCall = bench.perCallMicros(set, args.number("--overhead-calls"));
      viaLb.add(perCall[0]);
      direct.add(perCall[1]);
      long[] d = bench.death(set);
      death.add(d[0]);
      deathFailures.add(d[1]);
      System.out.printf(Locale.ROOT, "round %d: weighted %.2f pp, round_robin %.2f pp, per call %.1f us (direct %.1f us),"
          + " endpoint death %d ms (%d calls failed)%n", round, weighted.getLast(), roundRobin.getLast(), viaLb.getLast(),
          direct.getLast(), d[0], d[1]);
    }
    System.out.printf(Locale.ROOT, "RESULT weighted_max_dev_pp=%.2f%n", BenchArgs.medianD(weighted));
    System.out.printf(Locale.ROOT, "RESULT round_robin_max_dev_pp=%.2f%n", BenchArgs.medianD(roundRobin));
    System.out.printf(Locale.ROOT, "RESULT endpoint_death_to_no_calls_ms=%d%n", BenchArgs.median(death));
    System.out.printf(Locale.ROOT, "RESULT endpoint_death_failed_calls=%d%n", BenchArgs.median(deathFailures));
    System.out.printf(Locale.ROOT, "RESULT lb_call_us=%.1f%n", BenchArgs.medianD(viaLb));
    System.out.printf(Locale.ROOT, "RESULT direct_call_us=%.1f%n", BenchArgs.medianD(direct));
    System.out.printf(Locale.ROOT, "RESULT lb_overhead_us_per_call=%.1f%n", BenchArgs.medianD(viaLb) - BenchArgs.medianD(direct));
    bench.control.close();
  }

  private ServiceEndpoints endpoints() {
    return control.callLeader(s -> s.getServiceEndpoints(GetServiceEndpointsRequest.newBuilder().setName(service).build()));
  }

  /** Waits (at most 3 minutes) until the service has {@code n} endpoints again (a killed one replaced). */
  private ServiceEndpoints awaitEndpoints(int n) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (true) {
      ServiceEndpoints set = endpoints();
      if (set.getEndpointsCount() == n) return set;
      if (System.nanoTime() > deadline) throw new IllegalStateException(service + " has " + set.getEndpointsCount() + " endpoints, not " + n);
      Thread.sleep(200);
    }
  }

  /** allocation -> calls it answered, once each of the {@code n} endpoints answered a call. */
  private Map<String, Integer> split(String policy, int calls, int n) {
    ManagedChannel ch = GantryChannels.forService(service, managers, policy);
    try {
      var stub = EchoGrpc.newBlockingStub(ch);
      warm(stub, n);
      Map<String, Integer> out = new HashMap<>();
      for (int i = 0; i < calls; i++) out.merge(stub.withDeadlineAfter(5, TimeUnit.SECONDS).echo(HELLO).getAllocation(), 1, Integer::sum);
      return out;
    } finally {
      ch.shutdownNow();
    }
  }

  private static void warm(EchoGrpc.EchoBlockingStub stub, int n) {
    Set<String> seen = new HashSet<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (seen.size() < n) {
      if (System.nanoTime() > deadline) throw new IllegalStateException("only " + seen + " answered within 30 s");
      seen.add(stub.withDeadlineAfter(5, TimeUnit.SECONDS).echo(HELLO).getAllocation());
    }
  }

  static double maxGapPp(Map<String, Integer> calls, Map<String, Double> expected, int total) {
    double worst = 0;
    for (var e : expected.entrySet()) {
      worst = Math.max(worst, Math.abs(100.0 * calls.getOrDefault(e.getKey(), 0) / total - 100 * e.getValue()));
    }
    return worst;
  }

  /**
   * Mean microseconds per sequential call: [through gantry:/// weighted, over direct channels to
   * the same endpoints taken in turn], each after as many warm-up calls. Both spread the calls over
   * every replica, so the gap is the resolver's and the balancer's cost, not a warmer server.
   */
  private double[] perCallMicros(ServiceEndpoints set, int calls) {
    ManagedChannel lb = GantryChannels.forService(service, managers, "weighted");
    List<ManagedChannel> direct = set.getEndpointsList().stream()
        .map(e -> ManagedChannelBuilder.forAddress(e.getAddress(), e.getPort()).usePlaintext().build()).toList();
    try {
      var viaLb = EchoGrpc.newBlockingStub(lb);
      List<EchoGrpc.EchoBlockingStub> viaDirect = direct.stream().map(EchoGrpc::newBlockingStub).toList();
      timeCalls(List.of(viaLb), calls);
      timeCalls(viaDirect, calls);
      return new double[] {timeCalls(List.of(viaLb), calls), timeCalls(viaDirect, calls)};
    } finally {
      lb.shutdownNow();
      direct.forEach(ManagedChannel::shutdownNow);
    }
  }

  private static double timeCalls(List<EchoGrpc.EchoBlockingStub> stubs, int calls) {
    long start = System.nanoTime();
    for (int i = 0; i < calls; i++) stubs.get(i % stubs.size()).echo(HELLO);
    return (System.nanoTime() - start) / 1000.0 / calls;
  }

  /**
   * Four threads call through {@code weighted}; the endpoint with the largest weight is killed.
   * Returns [ms from the kill to the start of the last call that failed (0 if none did), calls that
   * failed]. Every call to the dead process fails, so the last failure is the last call routed to it.
   */
  private long[] death(ServiceEndpoints set) throws Exception {
    ServiceEndpoint heaviest = set.getEndpointsList().stream().max(java.util.Comparator.comparingLong(ServiceEndpoint::getWeight))
        .orElseThrow();
    ManagedChannel ch = GantryChannels.forService(service, managers, "weighted");
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong killedAt = new AtomicLong(Long.MAX_VALUE);
    AtomicLong lastFailure = new AtomicLong(Long.MIN_VALUE);
    AtomicLong failures = new AtomicLong();
    AtomicLong okAfter = new AtomicLong();
    Map<String, Long> pids = new ConcurrentHashMap<>();
    List<Thread> threads = new ArrayList<>();
    try {
      var stub = EchoGrpc.newBlockingStub(ch);
      warm(stub, set.getEndpointsCount());
      for (int t = 0; t < 4; t++) {
        threads.add(Thread.ofPlatform().start(() -> {
          while (!stop.get()) {
            long started = System.nanoTime();
            try {
              EchoReply r = stub.withDeadlineAfter(5, TimeUnit.SECONDS).echo(HELLO);
              pids.putIfAbsent(r.getAllocation(), r.getPid());
              if (started > killedAt.get()) okAfter.incrementAndGet();
            } catch (StatusRuntimeException e) {
              failures.incrementAndGet();
              lastFailure.accumulateAndGet(started, Math::max);
            }
          }
        }));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (!pids.containsKey(heaviest.getAllocationId()) && System.nanoTime() < deadline) Thread.sleep(10);
      ProcessHandle victim = ProcessHandle.of(pids.get(heaviest.getAllocationId())).orElseThrow();
      killedAt.set(System.nanoTime());
      victim.destroyForcibly();
      victim.onExit().get(10, TimeUnit.SECONDS);
      while (okAfter.get() < 2_000) Thread.sleep(10);
    } finally {
      stop.set(true);
      for (Thread t : threads) t.join(10_000);
      ch.shutdownNow();
    }
    // The next round waits for the replacement; first the dead one must have left the endpoints
    // (its agent notices the exit and reports it), or it would count as one of them.
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (endpoints().getEndpointsList().stream().anyMatch(e -> e.getAllocationId().equals(heaviest.getAllocationId()))) {
      if (System.nanoTime() > deadline) throw new IllegalStateException("the killed endpoint is still listed after 2 minutes");
      Thread.sleep(50);
    }
    long ms = lastFailure.get() > killedAt.get() ? TimeUnit.NANOSECONDS.toMillis(lastFailure.get() - killedAt.get()) : 0;
    return new long[] {ms, failures.get()};
  }
}
