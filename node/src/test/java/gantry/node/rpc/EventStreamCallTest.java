package gantry.node.rpc;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.MessageLite;
import gantry.node.events.EventFilter;
import gantry.node.events.EventLog;
import gantry.node.events.EventRecorder;
import gantry.node.state.ClusterState;
import gantry.node.state.Mutations;
import gantry.v1.Node;
import gantry.v1.NodeRegistered;
import gantry.v1.Record;
import gantry.v1.WatchEventsResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/** The WatchEvents sender against a call that the test makes ready or not, cancelled or not. */
class EventStreamCallTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @Test
  void sendsInOrderWhileTheCallIsReady() {
    EventLog log = new EventLog(100);
    FakeCall call = new FakeCall(true);
    EventStreamCall.start(call, log.subscribe(EventFilter.ALL, 0));
    for (long i = 1; i <= 5; i++) node(log, i);
    await().atMost(WAIT).until(() -> call.sent.size() == 5);
    assertEquals(List.of(1L, 2L, 3L, 4L, 5L), call.sent.stream().map(r -> r.getEvent().getIndex()).toList());
    call.cancel();
    await().atMost(WAIT).until(() -> log.subscribers() == 0);
    assertEquals(null, call.error, "a cancelled call gets no error");
  }

  @Test
  void aCallerThatStopsReadingIsEndedWithResourceExhaustedAndApplyGoesOn() {
    EventLog log = new EventLog(4);
    FakeCall call = new FakeCall(false);
    EventStreamCall.start(call, log.subscribe(EventFilter.ALL, 0));
    node(log, 1);
    for (long i = 2; i <= 300; i++) node(log, i); // never waits for the stuck call
    await().atMost(WAIT).until(() -> call.error != null);
    Status s = Status.fromThrowable(call.error);
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, s.getCode());
    assertTrue(s.getDescription().contains("watch again from the index of the last event received"), s.toString());
    assertEquals(0, log.subscribers());
  }

  @Test
  void aClosingPeerEndsTheCallUnavailable() {
    EventLog log = new EventLog(100);
    FakeCall call = new FakeCall(true);
    EventStreamCall.start(call, log.subscribe(EventFilter.ALL, 0));
    log.close();
    await().atMost(WAIT).until(() -> call.error != null);
    assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(call.error).getCode());
  }

  private static void node(EventLog log, long index) {
    EventRecorder r = log.recorder(index, new Mutations() {
      @Override
      public void put(String key, MessageLite value) {}

      @Override
      public void delete(String key) {}
    });
    r.begin(Record.newBuilder().setNodeRegistered(NodeRegistered.getDefaultInstance()).build());
    r.put("n/n" + index, Node.newBuilder().setId("n" + index).build());
    log.append(r, new ClusterState());
  }

  /** A server call that is ready or not as the test says, and records what it was sent. */
  private static final class FakeCall extends ServerCallStreamObserver<WatchEventsResponse> {
    final List<WatchEventsResponse> sent = new CopyOnWriteArrayList<>();
    final boolean ready;
    volatile Throwable error;
    volatile boolean cancelled;
    private volatile Runnable onCancel = () -> {};

    FakeCall(boolean ready) {
      this.ready = ready;
    }

    void cancel() {
      cancelled = true;
      onCancel.run();
    }

    @Override
    public boolean isCancelled() {
      return cancelled;
    }

    @Override
    public void setOnCancelHandler(Runnable onCancelHandler) {
      this.onCancel = onCancelHandler;
    }

    @Override
    public void setCompression(String compression) {}

    @Override
    public boolean isReady() {
      return ready;
    }

    @Override
    public void setOnReadyHandler(Runnable onReadyHandler) {}

    @Override
    public void disableAutoInboundFlowControl() {}

    @Override
    public void request(int count) {}

    @Override
    public void setMessageCompression(boolean enable) {}

    @Override
    public void onNext(WatchEventsResponse value) {
      sent.add(value);
    }

    @Override
    public void onError(Throwable t) {
      error = t;
    }

    @Override
    public void onCompleted() {}
  }
}
