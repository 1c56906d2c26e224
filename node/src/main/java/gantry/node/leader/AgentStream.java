package gantry.node.leader;

import gantry.v1.ManagerMessage;
import io.grpc.stub.StreamObserver;

/** The manager's end of one agent session: messages down, and closing it. */
public interface AgentStream {
  void send(ManagerMessage message);

  void close();

  /** A gRPC stream; sends are serialized (a stream is not thread-safe), failures mean the agent is gone. */
  static AgentStream of(StreamObserver<ManagerMessage> observer) {
    return new AgentStream() {
      @Override
      public void send(ManagerMessage message) {
        synchronized (observer) {
          try {
            observer.onNext(message);
          } catch (RuntimeException e) {
            // the stream is gone; the agent reconnects
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
