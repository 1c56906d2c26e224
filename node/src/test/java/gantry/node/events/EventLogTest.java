package gantry.node.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.MessageLite;
import gantry.node.control.ControlException;
import gantry.node.state.ClusterState;
import gantry.node.state.Mutations;
import gantry.v1.Allocation;
import gantry.v1.Event;
import gantry.v1.Job;
import gantry.v1.JobPurged;
import gantry.v1.JobRegistered;
import gantry.v1.JobScaled;
import gantry.v1.JobSpec;
import gantry.v1.Node;
import gantry.v1.NodeRegistered;
import gantry.v1.Peer;
import gantry.v1.PlanApplied;
import gantry.v1.Record;
import gantry.v1.ScaleMark;
import gantry.v1.WatchEventsResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The ring and its subscribers, fed with entries by hand as the apply thread feeds them. */
class EventLogTest {
  private static final Mutations NOWHERE = new Mutations() {
    @Override
    public void put(String key, MessageLite value) {}

    @Override
    public void delete(String key) {}
  };
  private static final Record REGISTERED = Record.newBuilder().setJobRegistered(JobRegistered.getDefaultInstance()).build();
  private static final Record PLAN = Record.newBuilder().setPlanApplied(PlanApplied.getDefaultInstance()).build();
  private static final Record NODE = Record.newBuilder().setNodeRegistered(NodeRegistered.getDefaultInstance()).build();
  private static final Record PURGED = Record.newBuilder().setJobPurged(JobPurged.getDefaultInstance()).build();

  /** Entry {@code index}: the job "web" written by a JobRegistered, and an allocation "a{index}" placed by a plan. */
  private static void jobAndAlloc(EventLog log, long index) {
    EventRecorder r = log.recorder(index, NOWHERE);
    r.begin(REGISTERED);
    r.put("j/web", job("web", index));
    r.begin(PLAN);
    r.put("a/a" + index, Allocation.newBuilder().setId("a" + index).setJob("web").build());
    log.append(r, new ClusterState());
  }

  /** Entry {@code index} with one event: node "n{index}". */
  private static void node(EventLog log, long index) {
    EventRecorder r = log.recorder(index, NOWHERE);
    r.begin(NODE);
    r.put("n/n" + index, Node.newBuilder().setId("n" + index).build());
    log.append(r, new ClusterState());
  }

  private static Job job(String name, long version) {
    return Job.newBuilder().setName(name).setVersion(version).setSpec(JobSpec.newBuilder().setName(name)).build();
  }

  /** Reads until at least {@code count} responses came (a read hands out what there is), failing after 10 s. */
  private static List<WatchEventsResponse> take(Subscription s, int count) throws InterruptedException {
    List<WatchEventsResponse> got = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (got.size() < count) {
      assertTrue(System.nanoTime() < deadline, "only " + got.size() + " of " + count + ": " + got);
      got.addAll(s.next(100));
    }
    return got;
  }

  private static List<String> keys(List<WatchEventsResponse> rs) {
    return rs.stream().map(r -> r.getEvent().getIndex() + ":" + r.getEvent().getTopic() + ":" + r.getEvent().getKey()).toList();
  }

  @Test
  void eventsComeInIndexOrderRecordByRecordWithTheirObjects() throws Exception {
    EventLog log = new EventLog(100);
    Subscription all = log.subscribe(EventFilter.ALL, 0);
    jobAndAlloc(log, 3);
    node(log, 4);
    jobAndAlloc(log, 7);
    List<WatchEventsResponse> got = take(all, 5);
    assertEquals(List.of("3:job:web", "3:allocation:a3", "4:node:n4", "7:job:web", "7:allocation:a7"), keys(got));
    Event first = got.get(0).getEvent();
    assertEquals("JobRegistered", first.getType());
    assertEquals(3, first.getJob().getVersion());
    assertEquals("PlanApplied", got.get(1).getEvent().getType());
    assertEquals("a3", got.get(1).getEvent().getAllocation().getId());
    assertEquals("NodeRegistered", got.get(2).getEvent().getType());
    assertEquals(List.of(), all.next(50), "nothing more");
  }

  @Test
  void filtersByTopicAndByKey() throws Exception {
    EventLog log = new EventLog(100);
    Subscription allocs = log.subscribe(new EventFilter(Topic.parse(List.of("allocation"), "topics"), ""), 0);
    Subscription web = log.subscribe(new EventFilter(Set.of(), "web"), 0);
    Subscription nodeN2 = log.subscribe(new EventFilter(Set.of(Topic.NODE, Topic.JOB), "n2"), 0);
    jobAndAlloc(log, 1);
    node(log, 2);
    jobAndAlloc(log, 3);
    assertEquals(List.of("1:allocation:a1", "3:allocation:a3"), keys(take(allocs, 2)));
    assertEquals(List.of("1:job:web", "3:job:web"), keys(take(web, 2)));
    assertEquals(List.of("2:node:n2"), keys(take(nodeN2, 1)));
  }

  @Test
  void anUnknownTopicIsRefusedNamingTheFieldAndTheAllowedOnes() {
    ControlException e = assertThrows(ControlException.class, () -> Topic.parse(List.of("job", "jobs"), "topics"));
    assertEquals(ControlException.Code.INVALID_ARGUMENT, e.code());
    assertTrue(e.getMessage().startsWith("topics: unknown topic \"jobs\"; allowed: job, allocation, node, evaluation, deployment, scaling"),
        e.getMessage());
  }

  @Test
  void resumingAfterAnIndexGivesEveryLaterEventOnceThenTheLiveOnes() throws Exception {
    EventLog log = new EventLog(100);
    for (long i = 1; i <= 10; i++) node(log, i);
    Subscription s = log.subscribe(EventFilter.ALL, 4);
    assertEquals(List.of("5:node:n5", "6:node:n6", "7:node:n7", "8:node:n8", "9:node:n9", "10:node:n10"), keys(take(s, 6)));
    node(log, 11);
    assertEquals(List.of("11:node:n11"), keys(take(s, 1)));
    assertEquals(List.of(), s.next(20));
    Subscription atTheEnd = log.subscribe(EventFilter.ALL, 11);
    assertEquals(List.of(), atTheEnd.next(20), "nothing after the newest index yet");
  }

  /** The switch from backlog to live while the apply thread appends: each index once, in order, from N + 1. */
  @Test
  void aSubscriptionMadeWhileEntriesArriveHasNoGapAndNoDuplicate() throws Exception {
    EventLog log = new EventLog(100_000);
    int entries = 20_000;
    CompletableFuture<Void> applier = CompletableFuture.runAsync(() -> {
      for (long i = 1; i <= entries; i++) node(log, i);
    });
    List<Subscription> subs = new ArrayList<>();
    List<Long> starts = List.of(1L, 50L, 5_000L, 12_345L);
    for (long start : starts) subs.add(log.subscribe(EventFilter.ALL, start));
    applier.get(30, TimeUnit.SECONDS);
    for (int k = 0; k < subs.size(); k++) {
      long start = starts.get(k);
      List<WatchEventsResponse> got = take(subs.get(k), (int) (entries - start));
      for (int i = 0; i < got.size(); i++) assertEquals(start + 1 + i, got.get(i).getEvent().getIndex());
    }
  }

  @Test
  void anIndexOlderThanTheRingGivesEventsLostFirstThenTheOldestKept() throws Exception {
    EventLog log = new EventLog(4);
    for (long i = 1; i <= 10; i++) node(log, i);
    assertEquals(7, log.oldestIndex());
    Subscription s = log.subscribe(EventFilter.ALL, 2);
    List<WatchEventsResponse> got = take(s, 5);
    assertTrue(got.get(0).hasLost(), got.toString());
    assertEquals(2, got.get(0).getLost().getRequestedIndex());
    assertEquals(7, got.get(0).getLost().getOldestIndex());
    assertTrue(got.get(0).getLost().getMessage().contains("no longer all kept"), got.toString());
    assertEquals(List.of("7:node:n7", "8:node:n8", "9:node:n9", "10:node:n10"), keys(got.subList(1, 5)));
    // At the edge: entries after 6 are all kept, so no notice.
    Subscription edge = log.subscribe(EventFilter.ALL, 6);
    assertTrue(take(edge, 1).get(0).hasEvent());
  }

  @Test
  void anEntryPartlyDroppedCountsAsLost() throws Exception {
    EventLog log = new EventLog(3);
    jobAndAlloc(log, 1);
    jobAndAlloc(log, 2); // drops entry 1's first event: floor 1
    assertEquals(2, log.oldestIndex());
    jobAndAlloc(log, 3); // drops 1's allocation and 2's job: entry 2 is incomplete now
    assertEquals(3, log.oldestIndex());
    List<WatchEventsResponse> got = take(log.subscribe(EventFilter.ALL, 1), 3);
    assertEquals(3, got.get(0).getLost().getOldestIndex());
    assertEquals(List.of("3:job:web", "3:allocation:a3"), keys(got.subList(1, 3)), "not the rest of entry 2");
  }

  @Test
  void aSubscriberThatFallsAWholeRingBehindIsEndedAndApplyNeverWaits() throws Exception {
    EventLog log = new EventLog(4);
    Subscription slow = log.subscribe(EventFilter.ALL, 0);
    Subscription keepsUp = log.subscribe(EventFilter.ALL, 0);
    node(log, 1);
    assertEquals(1, take(slow, 1).size());
    assertEquals(1, take(keepsUp, 1).size());
    for (long i = 2; i <= 20; i++) {
      node(log, i); // returns although slow reads nothing
      take(keepsUp, 1);
    }
    StreamEnded e = assertThrows(StreamEnded.class, () -> slow.next(100));
    assertEquals(StreamEnded.Reason.FELL_BEHIND, e.reason());
    assertTrue(e.getMessage().contains("watch again from the index of the last event received (1 at most)"), e.getMessage());
    assertEquals(1, log.subscribers(), "the ended one is gone; the other goes on");
  }

  @Test
  void aRestartEndsTheSubscriptionsAndKeepsNothingBeforeIt() throws Exception {
    EventLog log = new EventLog(100);
    node(log, 1);
    Subscription live = log.subscribe(EventFilter.ALL, 0);
    log.restart(20, new ClusterState());
    StreamEnded e = assertThrows(StreamEnded.class, () -> live.next(100));
    assertEquals(StreamEnded.Reason.STATE_REPLACED, e.reason());
    assertEquals(21, log.oldestIndex());
    node(log, 21);
    List<WatchEventsResponse> got = take(log.subscribe(EventFilter.ALL, 1), 2);
    assertEquals(21, got.get(0).getLost().getOldestIndex());
    assertEquals(List.of("21:node:n21"), keys(got.subList(1, 2)));
  }

  @Test
  void closeEndsEverySubscriptionAndCancelStopsAWaitingRead() throws Exception {
    EventLog log = new EventLog(100);
    Subscription a = log.subscribe(EventFilter.ALL, 0);
    Subscription b = log.subscribe(EventFilter.ALL, 0);
    CompletableFuture<StreamEnded> waiting = CompletableFuture.supplyAsync(() -> {
      try {
        while (true) b.next(60_000);
      } catch (StreamEnded e) {
        return e;
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
    });
    b.cancel();
    assertEquals(StreamEnded.Reason.CANCELLED, waiting.get(10, TimeUnit.SECONDS).reason());
    log.close();
    assertEquals(StreamEnded.Reason.CLOSED, assertThrows(StreamEnded.class, () -> a.next(10)).reason());
    assertThrows(IllegalStateException.class, () -> log.subscribe(EventFilter.ALL, 0));
  }

  @Test
  void aDivergedPeerEndsItsStreamsAndRefusesNewOnesSayingWhy() {
    EventLog log = new EventLog(100);
    Subscription s = log.subscribe(EventFilter.ALL, 0);
    log.close("log entry 7 has term 3 but this peer applied an entry of term 2 at that index");
    StreamEnded e = assertThrows(StreamEnded.class, () -> s.next(10));
    assertTrue(e.getMessage().startsWith("log entry 7 has term 3"), e.getMessage());
    IllegalStateException refused = assertThrows(IllegalStateException.class, () -> log.subscribe(EventFilter.ALL, 0));
    assertTrue(refused.getMessage().startsWith("log entry 7"), refused.getMessage());
  }

  @Test
  void theRecorderMakesOneEventPerKeyPerRecordDeletionsAndScalingMarks() throws Exception {
    EventLog log = new EventLog(100);
    Subscription s = log.subscribe(EventFilter.ALL, 0);
    List<String> written = new ArrayList<>();
    EventRecorder r = log.recorder(9, new Mutations() {
      @Override
      public void put(String key, MessageLite value) {
        written.add("put " + key);
      }

      @Override
      public void delete(String key) {
        written.add("delete " + key);
      }
    });
    ScaleMark mark = ScaleMark.newBuilder().setFrom(2).setTo(3).setReason("scaled by a user: group g 2 -> 3").build();
    r.begin(Record.newBuilder().setJobScaled(JobScaled.newBuilder().setName("web").setGroup("g").setCount(3)).build());
    r.put("j/web", job("web", 1));
    r.put("v/web/00000000000000000002", job("web", 2));
    r.put("j/web", job("web", 2).toBuilder().putLastScale("g", mark).build());
    r.begin(PURGED);
    r.put("a/x", Allocation.newBuilder().setId("x").build());
    r.delete("a/x");
    r.put("p/m1", Peer.newBuilder().setId("m1").build());
    log.append(r, new ClusterState());
    assertEquals(6, written.size(), "every write still reaches the batch: " + written);
    List<WatchEventsResponse> got = take(s, 3);
    assertEquals(List.of("9:job:web", "9:scaling:web/g", "9:allocation:x"), keys(got));
    assertEquals("JobScaled", got.get(0).getEvent().getType());
    assertEquals(2, got.get(0).getEvent().getJob().getVersion(), "the last value the record gave the key");
    assertEquals(mark, got.get(1).getEvent().getScale());
    assertEquals("JobScaled", got.get(1).getEvent().getType());
    assertEquals(EventRecorder.DELETED, got.get(2).getEvent().getType());
    assertEquals(Event.ObjectCase.OBJECT_NOT_SET, got.get(2).getEvent().getObjectCase());
  }
}
