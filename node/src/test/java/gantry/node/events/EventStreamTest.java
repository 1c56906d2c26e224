package gantry.node.events;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Message;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import gantry.node.FreePorts;
import gantry.node.ManagerPeer;
import gantry.node.config.ServerConfigLoader;
import gantry.v1.ControlServiceGrpc;
import gantry.v1.ControlServiceGrpc.ControlServiceBlockingStub;
import gantry.v1.DeregisterJobRequest;
import gantry.v1.DispatcherServiceGrpc;
import gantry.v1.Event;
import gantry.v1.GetLeaderRequest;
import gantry.v1.GroupSpec;
import gantry.v1.JobSpec;
import gantry.v1.Node;
import gantry.v1.RegisterJobRequest;
import gantry.v1.RegisterNodeRequest;
import gantry.v1.Resources;
import gantry.v1.ScaleJobRequest;
import gantry.v1.TaskSpec;
import gantry.v1.WatchEventsRequest;
import gantry.v1.WatchEventsResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The event stream of three real peers in one JVM (Ratis, RocksDB, gRPC and Jetty on loopback):
 * m1 and m2 keep the default ring, m3 only {@link #SMALL_RING} events. One node is registered
 * (with a heartbeat TTL long enough that it stays ready without an agent) so the scheduler places
 * the jobs' allocations.
 */
class EventStreamTest {
  static final Duration WAIT = Duration.ofSeconds(30);
  static final int SMALL_RING = 8;

  @TempDir static Path dir;
  static final List<ManagerPeer> peers = new ArrayList<>();
  static final List<ManagedChannel> channels = new ArrayList<>();
  static final List<String> ids = List.of("m1", "m2", "m3");
  static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @BeforeAll
  static void startCluster() throws Exception {
    int[] raft = {FreePorts.next(), FreePorts.next(), FreePorts.next()};
    String peerList = "m1=127.0.0.1:" + raft[0] + ",m2=127.0.0.1:" + raft[1] + ",m3=127.0.0.1:" + raft[2];
    for (String id : ids) {
      Map<String, String> flags = new java.util.HashMap<>(Map.of(
          "id", id, "data_dir", dir.resolve(id).toString(), "peers", peerList,
          "grpc_addr", "127.0.0.1:" + FreePorts.next(), "http_addr", "127.0.0.1:" + FreePorts.next(),
          "heartbeat_ttl", "10m"));
      if (id.equals("m3")) flags.put("event_buffer", String.valueOf(SMALL_RING));
      ManagerPeer p = ManagerPeer.start(ServerConfigLoader.load(null, flags));
      peers.add(p);
      channels.add(ManagedChannelBuilder.forTarget(p.grpcAddress()).usePlaintext().build());
    }
    Node node = Node.newBuilder().setId("0e5c-node-events").setName("n1").addDrivers("exec")
        .setCapacity(Resources.newBuilder().setCpu(8000).setMemory(16384)).build();
    await().atMost(WAIT).ignoreExceptions().until(() -> registerNode(node));
  }

  private static boolean registerNode(Node n) {
    for (ManagedChannel ch : channels) {
      try {
        DispatcherServiceGrpc.newBlockingStub(ch).withDeadlineAfter(10, TimeUnit.SECONDS)
            .register(RegisterNodeRequest.newBuilder().setNode(n).build());
        return true;
      } catch (RuntimeException notLeader) {
        // only the leader registers nodes
      }
    }
    return false;
  }

  @AfterAll
  static void stopCluster() {
    channels.forEach(ManagedChannel::shutdownNow);
    peers.forEach(ManagerPeer::close);
  }

  // ---- a job's life on a follower ----

  @Test
  void aJobsWholeLifeArrivesInIndexOrderOnAFollowerAsOnTheLeader() {
    int leader = leader();
    int follower = leader == 0 ? 1 : 0; // m1 or m2: the default ring
    ControlServiceBlockingStub write = control(follower);
    long registered = write.registerJob(RegisterJobRequest.newBuilder().setSpec(job("life", 2)).build()).getIndex();
    WatchEventsRequest fromRegistration = WatchEventsRequest.newBuilder().setIndex(registered - 1).build();
    EventCollector onFollower = EventCollector.watch(channels.get(follower), fromRegistration);
    EventCollector onLeader = EventCollector.watch(channels.get(leader), fromRegistration);
    try {
      onFollower.await("the scheduler's two placements", e -> placed(e, "life") && count(onFollower, "life") >= 2);
      long scaled = write.scaleJob(ScaleJobRequest.newBuilder().setName("life").setGroup("g").setCount(3).build()).getIndex();
      onFollower.await("the third placement", e -> count(onFollower, "life") >= 3);
      long stopped = write.deregisterJob(DeregisterJobRequest.newBuilder().setName("life").build()).getIndex();
      long purged = write.deregisterJob(DeregisterJobRequest.newBuilder().setName("life").setPurge(true).build()).getIndex();
      long after = write.registerJob(RegisterJobRequest.newBuilder().setSpec(job("life-after", 1)).build()).getIndex();
      onFollower.awaitIndex(after);
      onLeader.awaitIndex(after);

      List<Event> seen = onFollower.upTo(purged);
      assertEquals(onLeader.upTo(purged), seen, "the follower makes the same events as the leader, none missing");
      for (int i = 1; i < seen.size(); i++) {
        assertTrue(seen.get(i - 1).getIndex() <= seen.get(i).getIndex(), "index order at " + i + ": " + seen);
      }
      assertTrue(seen.stream().allMatch(e -> e.getIndex() >= registered), "nothing from before the asked index");

      List<String> jobLife = seen.stream().filter(e -> e.getTopic().equals("job") && e.getKey().equals("life"))
          .filter(e -> List.of("JobRegistered", "JobScaled", "JobStopped", "deleted").contains(e.getType()))
          .map(e -> e.getType() + "@" + e.getIndex()).toList();
      assertEquals(List.of("JobRegistered@" + registered, "JobScaled@" + scaled, "JobStopped@" + stopped, "deleted@" + purged),
          jobLife);
      Event registration = seen.stream().filter(e -> e.getType().equals("JobRegistered") && e.getKey().equals("life")).findFirst().orElseThrow();
      assertEquals(1, registration.getJob().getVersion());
      assertEquals(2, registration.getJob().getSpec().getGroups(0).getCount());

      Event scaling = seen.stream().filter(e -> e.getTopic().equals("scaling")).findFirst().orElseThrow();
      assertEquals("life/g", scaling.getKey());
      assertEquals("JobScaled", scaling.getType());
      assertEquals(scaled, scaling.getIndex());
      assertEquals(2, scaling.getScale().getFrom());
      assertEquals(3, scaling.getScale().getTo());
      assertTrue(scaling.getScale().getReason().contains("scaled by a user"), scaling.toString());

      assertTrue(seen.stream().anyMatch(e -> e.getTopic().equals("evaluation") && e.getEvaluation().getJob().equals("life")),
          "the registration's evaluation");
      List<Event> allocs = seen.stream().filter(e -> e.getTopic().equals("allocation") && e.getAllocation().getJob().equals("life")).toList();
      assertTrue(allocs.stream().filter(e -> e.getType().equals("PlanApplied")).map(Event::getKey).distinct().count() >= 3, allocs.toString());
    } finally {
      onFollower.cancel();
      onLeader.cancel();
    }
  }

  @Test
  void aClientThatCancelsAndComesBackWithItsLastIndexGetsExactlyWhatItMissed() {
    int leader = leader();
    int follower = leader == 0 ? 1 : 0;
    ControlServiceBlockingStub write = control(leader);
    long registered = write.registerJob(RegisterJobRequest.newBuilder().setSpec(job("resume", 1)).build()).getIndex();
    WatchEventsRequest from = WatchEventsRequest.newBuilder().setIndex(registered - 1).build();
    EventCollector reference = EventCollector.watch(channels.get(follower), from);
    EventCollector first = EventCollector.watch(channels.get(follower), from);
    EventCollector second = null;
    try {
      long scaled = write.scaleJob(ScaleJobRequest.newBuilder().setName("resume").setGroup("g").setCount(2).build()).getIndex();
      // Once an event of the scale's entry arrived, every earlier entry's events are in.
      first.awaitIndex(scaled);
      first.cancel();
      long lastComplete = scaled - 1;
      List<Event> before = first.upTo(lastComplete);
      // Changes while it is away.
      write.deregisterJob(DeregisterJobRequest.newBuilder().setName("resume").build());
      long purged = write.deregisterJob(DeregisterJobRequest.newBuilder().setName("resume").setPurge(true).build()).getIndex();
      long after = write.registerJob(RegisterJobRequest.newBuilder().setSpec(job("resume-after", 1)).build()).getIndex();

      second = EventCollector.watch(channels.get(follower), WatchEventsRequest.newBuilder().setIndex(lastComplete).build());
      second.awaitIndex(after);
      reference.awaitIndex(after);
      assertTrue(second.received.get(0).hasEvent(), "nothing lost: " + second.received.get(0));
      List<Event> together = new ArrayList<>(before);
      together.addAll(second.upTo(purged));
      assertEquals(reference.upTo(purged), together, "no gap and no duplicate across the reconnection");
      assertTrue(second.events().getFirst().getIndex() > lastComplete);
    } finally {
      reference.cancel();
      if (second != null) second.cancel();
    }
  }

  @Test
  void topicAndKeyFiltersAndABadTopicIsInvalidArgumentNamingTopics() {
    int leader = leader();
    long registered = control(leader).registerJob(RegisterJobRequest.newBuilder().setSpec(job("filtered", 1)).build()).getIndex();
    EventCollector jobs = EventCollector.watch(channels.get(leader), WatchEventsRequest.newBuilder().setIndex(registered - 1)
        .addTopics("job").setKey("filtered").build());
    try {
      Event e = jobs.await("the job's registration", x -> x.getType().equals("JobRegistered"));
      assertEquals(registered, e.getIndex());
      assertTrue(jobs.events().stream().allMatch(x -> x.getTopic().equals("job") && x.getKey().equals("filtered")), jobs.events().toString());
    } finally {
      jobs.cancel();
    }
    Iterator<WatchEventsResponse> bad = ControlServiceGrpc.newBlockingStub(channels.get(0)).withDeadlineAfter(10, TimeUnit.SECONDS)
        .watchEvents(WatchEventsRequest.newBuilder().addTopics("jobs").build());
    StatusRuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(StatusRuntimeException.class, bad::hasNext);
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().startsWith("topics: unknown topic \"jobs\"; allowed: job, allocation"), e.toString());
  }

  // ---- what a peer no longer keeps ----

  @Test
  void anIndexOlderThanTheRingGetsEventsLostFirstThenTheOldestKept() {
    ControlServiceBlockingStub write = control(leader());
    long last = 0;
    for (String name : List.of("old-a", "old-b", "old-c")) {
      last = write.registerJob(RegisterJobRequest.newBuilder().setSpec(job(name, 1)).build()).getIndex();
    }
    long written = last;
    // m3 keeps 8 events: three registrations (job, evaluation, placements...) are more than that.
    EventCollector small = await().atMost(WAIT).until(() -> {
      EventCollector c = EventCollector.watch(channels.get(2), WatchEventsRequest.newBuilder().setIndex(1).build());
      try {
        c.awaitIndex(written);
      } catch (AssertionError e) {
        // The scheduler's entries after the registrations still add events: a stream that fell
        // a whole ring of 8 behind while catching up is ended RESOURCE_EXHAUSTED, as it should
        // be (EventLogTest.aSubscriberThatFallsAWholeRingBehind...); watch again. Any other
        // failure fails the test.
        if (!(c.error instanceof io.grpc.StatusRuntimeException sre) || sre.getStatus().getCode() != io.grpc.Status.Code.RESOURCE_EXHAUSTED) {
          throw e;
        }
        return null;
      }
      if (c.received.get(0).hasLost()) return c;
      c.cancel();
      return null;
    }, java.util.Objects::nonNull);
    try {
      var lost = small.received.get(0).getLost();
      assertEquals(1, lost.getRequestedIndex());
      assertTrue(lost.getOldestIndex() > 1, lost.toString());
      assertTrue(lost.getMessage().contains("no longer all kept"), lost.toString());
      assertTrue(small.received.stream().skip(1).allMatch(WatchEventsResponse::hasEvent), "the notice comes first, once");
      assertTrue(small.events().stream().allMatch(e -> e.getIndex() >= lost.getOldestIndex()), small.events().toString());
    } finally {
      small.cancel();
    }
    // A peer with the default ring has every event since it started: no notice.
    EventCollector whole = EventCollector.watch(channels.get(0), WatchEventsRequest.newBuilder().setIndex(1).build());
    try {
      whole.awaitIndex(written);
      assertTrue(whole.received.get(0).hasEvent(), whole.received.get(0).toString());
    } finally {
      whole.cancel();
    }
  }

  // ---- over HTTP ----

  @Test
  void theHttpStreamIsNdjsonWhoseLinesParse() throws Exception {
    int leader = leader();
    int follower = leader == 0 ? 1 : 0;
    long registered = control(leader).registerJob(RegisterJobRequest.newBuilder().setSpec(job("ndjson", 1)).build()).getIndex();
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://" + peers.get(follower).httpAddress()
        + "/v1/event/stream?topic=job&topic=allocation&index=" + (registered - 1))).build();
    HttpResponse<Stream<String>> res = http.send(req, HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, res.statusCode());
    assertEquals("application/x-ndjson", res.headers().firstValue("Content-Type").orElse("").split(";")[0]);
    List<Event> events = new ArrayList<>();
    try (Stream<String> lines = res.body()) {
      Iterator<String> it = lines.iterator();
      while (events.stream().noneMatch(e -> e.getTopic().equals("allocation") && e.getAllocation().getJob().equals("ndjson"))) {
        assertTrue(it.hasNext(), "the stream ended after " + events);
        String line = it.next();
        assertFalse(line.contains("\n"));
        if (line.equals("{}")) continue; // heartbeat
        events.add(parse(line, Event.getDefaultInstance()));
      }
    }
    assertEquals("JobRegistered", events.get(0).getType());
    assertEquals("ndjson", events.get(0).getKey());
    assertEquals(registered, events.get(0).getIndex());
    assertTrue(events.stream().allMatch(e -> e.getTopic().equals("job") || e.getTopic().equals("allocation")), events.toString());

    HttpResponse<String> bad = http.send(HttpRequest.newBuilder(URI.create("http://" + peers.get(0).httpAddress()
        + "/v1/event/stream?topic=nope")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(400, bad.statusCode(), bad.body());
    Struct error = parse(bad.body(), Struct.getDefaultInstance());
    assertEquals("topic", error.getFieldsOrThrow("field").getStringValue(), bad.body());
    HttpResponse<String> badIndex = http.send(HttpRequest.newBuilder(URI.create("http://" + peers.get(0).httpAddress()
        + "/v1/event/stream?index=-3")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(400, badIndex.statusCode(), badIndex.body());
    assertEquals("index", parse(badIndex.body(), Struct.getDefaultInstance()).getFieldsOrThrow("field").getStringValue());
  }

  // ---- helpers ----

  private static boolean placed(Event e, String job) {
    return e.getTopic().equals("allocation") && e.getType().equals("PlanApplied") && e.getAllocation().getJob().equals(job);
  }

  /** How many different allocations of {@code job} the collector saw placed. */
  private static long count(EventCollector c, String job) {
    return c.events().stream().filter(e -> placed(e, job)).map(Event::getKey).distinct().count();
  }

  private static int leader() {
    String id = await().atMost(WAIT).ignoreExceptions().until(() -> control(0).getLeader(GetLeaderRequest.getDefaultInstance())
        .getLeader().getId(), l -> !l.isEmpty());
    int i = ids.indexOf(id);
    assertTrue(i >= 0, id);
    return i;
  }

  private static ControlServiceBlockingStub control(int peer) {
    return ControlServiceGrpc.newBlockingStub(channels.get(peer)).withDeadlineAfter(30, TimeUnit.SECONDS);
  }

  static JobSpec job(String name, int count) {
    return JobSpec.newBuilder().setName(name).addGroups(GroupSpec.newBuilder().setName("g").setCount(count)
        .addTasks(TaskSpec.newBuilder().setName("t").setDriver("exec").addCommand("sleep").addCommand("3600")
            .setResources(Resources.newBuilder().setCpu(100).setMemory(32)))).build();
  }

  @SuppressWarnings("unchecked")
  static <T extends Message> T parse(String json, T type) throws Exception {
    Message.Builder into = type.newBuilderForType();
    JsonFormat.parser().merge(json, into);
    assertNotNull(into);
    return (T) into.build();
  }
}
