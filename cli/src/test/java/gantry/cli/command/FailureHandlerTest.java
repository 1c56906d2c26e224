package gantry.cli.command;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.grpc.Status;
import org.junit.jupiter.api.Test;

/** The one line and exit code of a failed call, for the statuses whose server text needs help. */
class FailureHandlerTest {
  static FailureHandler.Outcome of(Status status) {
    return FailureHandler.classify(status.asRuntimeException());
  }

  @Test
  void grpcJavasOversizeTextIsNamedAsTheManagersSetting() {
    var outcome = of(Status.RESOURCE_EXHAUSTED.withDescription("gRPC message exceeds maximum size 65536: 70010"));
    assertEquals(1, outcome.exitCode());
    assertEquals("RESOURCE_EXHAUSTED: the request is 70010 bytes, over the manager's limit of 65536 (max_message_bytes)",
        outcome.message());
  }

  @Test
  void atTheClientsOwnReplyLimitBothAreNamed() {
    var outcome = of(Status.RESOURCE_EXHAUSTED.withDescription("gRPC message exceeds maximum size 4194304: 5000000"));
    assertEquals("RESOURCE_EXHAUSTED: a message of 5000000 bytes is over the limit of 4194304 bytes: the manager's "
        + "max_message_bytes if it was the request, this client's own limit if it was the reply", outcome.message());
  }

  @Test
  void otherResourceExhaustedTextsPassUnchanged() {
    String rate = "rate limit: more than 1000 requests/s for this token (rate_per_token); retry in 12ms";
    assertEquals("RESOURCE_EXHAUSTED: " + rate, of(Status.RESOURCE_EXHAUSTED.withDescription(rate)).message());
  }
}
