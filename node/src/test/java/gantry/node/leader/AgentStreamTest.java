package gantry.node.leader;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import gantry.v1.ManagerMessage;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class AgentStreamTest {
  /** A stream whose sends fail as a gRPC call's do; it records how it was ended. */
  private static final class FailingObserver implements StreamObserver<ManagerMessage> {
    final boolean callOver;
    final List<Throwable> errors = new ArrayList<>();

    FailingObserver(boolean callOver) {
      this.callOver = callOver;
    }

    @Override
    public void onNext(ManagerMessage value) {
      throw new IllegalStateException("send failed");
    }

    @Override
    public void onError(Throwable t) {
      if (callOver) throw new IllegalStateException("call already closed");
      errors.add(t);
    }

    @Override
    public void onCompleted() {}
  }

  @Test
  void aFailedSendEndsTheStreamSoTheAgentStartsAgainFromTheWholeSet() {
    FailingObserver observer = new FailingObserver(false);
    AgentStream.of(observer).send(ManagerMessage.getDefaultInstance());
    assertEquals(1, observer.errors.size(), "the stream was ended");
    assertEquals(Status.Code.UNAVAILABLE, Status.fromThrowable(observer.errors.getFirst()).getCode());
  }

  @Test
  void aFailedSendOnACallAlreadyOverThrowsNothing() {
    AgentStream stream = AgentStream.of(new FailingObserver(true));
    assertDoesNotThrow(() -> stream.send(ManagerMessage.getDefaultInstance()), "the leader's loop goes on");
  }
}
