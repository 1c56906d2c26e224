package gantry.node.events;


import gantry.v1.ControlServiceGrpc;
import gantry.v1.Event;
import gantry.v1.WatchEventsRequest;
import gantry.v1.WatchEventsResponse;
import io.grpc.ManagedChannel;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/** One WatchEvents call of a test, keeping what arrives; {@link #cancel()} as a client cancels. */
final class EventCollector implements ClientResponseObserver<WatchEventsRequest, WatchEventsResponse> {
  static final Duration WAIT = Duration.ofSeconds(30);

  final List<WatchEventsResponse> received = new CopyOnWriteArrayList<>();
  volatile Throwable error;
  volatile boolean completed;
  private volatile ClientCallStreamObserver<WatchEventsRequest> call;

  static EventCollector watch(ManagedChannel channel, WatchEventsRequest request) {
    EventCollector c = new EventCollector();
    ControlServiceGrpc.newStub(channel).watchEvents(request, c);
    return c;
  }

  @Override
  public void beforeStart(ClientCallStreamObserver<WatchEventsRequest> requestStream) {
    this.call = requestStream;
  }

  @Override
  public void onNext(WatchEventsResponse value) {
    received.add(value);
  }

  @Override
  public void onError(Throwable t) {
    error = t;
  }

  @Override
  public void onCompleted() {
    completed = true;
  }

  void cancel() {
    call.cancel("the test is done with it", null);
  }

  /** The events received so far (not the lost notice). */
  List<Event> events() {
    return received.stream().filter(WatchEventsResponse::hasEvent).map(WatchEventsResponse::getEvent).toList();
  }

  /** Waits, bounded, for an event that matches; returns it. */
  Event await(String what, Predicate<Event> wanted) {
    org.awaitility.Awaitility.await().alias(what).atMost(WAIT).until(() -> {
      if (error != null) throw new AssertionError("the stream failed while waiting for " + what, error);
      return events().stream().anyMatch(wanted);
    });
    return events().stream().filter(wanted).findFirst().orElseThrow();
  }

  /** Waits, bounded, until an event of an entry at or after {@code index} arrived: every earlier entry's events are in. */
  void awaitIndex(long index) {
    await("an event at index >= " + index, e -> e.getIndex() >= index);
  }

  /** The events of the entries up to {@code index}. */
  List<Event> upTo(long index) {
    return events().stream().filter(e -> e.getIndex() <= index).toList();
  }
}
