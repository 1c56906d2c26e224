package gantry.agent.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import gantry.v1.NotLeaderDetail;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import org.junit.jupiter.api.Test;

class NotLeaderExceptionTest {
  static StatusRuntimeException refusal(NotLeaderDetail detail) {
    return StatusProto.toStatusRuntimeException(com.google.rpc.Status.newBuilder()
        .setCode(Status.Code.FAILED_PRECONDITION.value())
        .setMessage("not the leader")
        .addDetails(Any.pack(detail))
        .build());
  }

  @Test
  void theLeaderComesFromTheTypedDetail() {
    var e = refusal(NotLeaderDetail.newBuilder().setLeaderGrpcAddress("h:2").setLeaderId("m2").build());
    assertEquals("h:2", NotLeaderException.from(e).orElseThrow().leader());
    assertEquals("", NotLeaderException.from(refusal(NotLeaderDetail.getDefaultInstance())).orElseThrow().leader());
  }

  @Test
  void aDescriptionAloneIsNotARefusal() {
    assertTrue(NotLeaderException.from(
        Status.FAILED_PRECONDITION.withDescription("leader=h:2").asRuntimeException()).isEmpty());
    assertTrue(NotLeaderException.from(Status.UNAVAILABLE.asRuntimeException()).isEmpty());
    assertTrue(NotLeaderException.from(new IllegalStateException("x")).isEmpty());
  }
}
