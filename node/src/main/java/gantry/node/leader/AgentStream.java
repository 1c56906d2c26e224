package gantry.node.leader;

import gantry.v1.ManagerMessage;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;

/** The manager's end of one agent session: messages down, and closing it. */
public interface AgentStream {
  void send(ManagerMessage message);

  void close();

  /**
   * A gRPC stream; sends are serialized (a stream is not thread-safe). A send that fails ends
   * the stream: a delta lost while the stream stayed open would leave the agent behind, and the
   * agent's next session starts from the whole set.
   */
  static AgentStream of(StreamObserver<ManagerMessage> observer) {
    return new AgentStream() {
      @Override
      public void send(ManagerMessage message) {
        synchronized (observer) {
          try {
            observer.onNext(message);
          } catch (RuntimeException e) {
            try {
              observer.onError(Status.UNAVAILABLE.withDescription("sending to the agent failed: " + e).asRuntimeException());
            } catch (RuntimeException closed) {
              // the call was already over; the agent reconnects
            }
          }
        }
      }

      @Override
      public void close() {
        synchronized (observer) {
          try {
            observer.onCompleted();
          } catch (RuntimeException e) {
            // already closed
          }
        }
      }
    };
  }
}
