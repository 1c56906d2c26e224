package gantry.node.rpc;

import gantry.node.events.StreamEnded;
import gantry.node.events.Subscription;
import gantry.v1.WatchEventsResponse;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;

/**
 * One WatchEvents call: its own virtual thread reads the subscription and sends what it gets,
 * one message at a time and only when the call is ready (gRPC's flow control), so a slow caller
 * holds back only its own reading; if it falls a whole event ring behind, the stream ends with
 * RESOURCE_EXHAUSTED. A cancelled call cancels the subscription.
 */
final class EventStreamCall {
  /** How long a read waits before it looks at the call again. */
  private static final long POLL_MS = 1_000;

  private final ServerCallStreamObserver<WatchEventsResponse> call;
  private final Subscription subscription;
  private final Object readiness = new Object();
  private volatile boolean cancelled;

  private EventStreamCall(ServerCallStreamObserver<WatchEventsResponse> call, Subscription subscription) {
    this.call = call;
    this.subscription = subscription;
  }

  /** Starts sending {@code subscription} on {@code call}; called from the service method, which returns at once. */
  static void start(ServerCallStreamObserver<WatchEventsResponse> call, Subscription subscription) {
    EventStreamCall c = new EventStreamCall(call, subscription);
    call.setOnReadyHandler(c::wake);
    call.setOnCancelHandler(c::cancel);
    Thread.ofVirtual().name("gantry-watch-events").start(c::run);
  }

  private void run() {
    try {
      while (!cancelled) {
        for (WatchEventsResponse r : subscription.next(POLL_MS)) {
          awaitReady();
          if (cancelled) return;
          call.onNext(r);
        }
      }
    } catch (StreamEnded e) {
      if (!cancelled && e.reason() != StreamEnded.Reason.CANCELLED) call.onError(status(e).asRuntimeException());
    } catch (InterruptedException e) {
      subscription.cancel();
      if (!cancelled) call.onError(Status.UNAVAILABLE.withDescription("this manager is shutting down").asRuntimeException());
    } catch (RuntimeException e) {
      // The call closed under us (the caller went away between a look and a send).
      subscription.cancel();
    }
  }

  static Status status(StreamEnded e) {
    Status s = switch (e.reason()) {
      case FELL_BEHIND -> Status.RESOURCE_EXHAUSTED;
      case STATE_REPLACED, CLOSED -> Status.UNAVAILABLE;
      case CANCELLED -> Status.CANCELLED;
    };
    return s.withDescription(e.getMessage());
  }

  private void awaitReady() throws InterruptedException {
    synchronized (readiness) {
      while (!cancelled && !call.isReady()) {
        // A caller that stops reading must not hold its call for ever: it ends once it is a ring behind.
        subscription.check();
        readiness.wait(POLL_MS);
      }
    }
  }

  private void wake() {
    synchronized (readiness) {
      readiness.notifyAll();
    }
  }

  private void cancel() {
    cancelled = true;
    subscription.cancel();
    wake();
  }
}
