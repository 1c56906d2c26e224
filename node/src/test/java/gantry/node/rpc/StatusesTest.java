package gantry.node.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.node.control.NotLeaderException;
import gantry.v1.NotLeaderDetail;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.protobuf.StatusProto;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class StatusesTest {
  @Test
  void aFollowerRefusalCarriesTheLeaderAsATypedDetail() throws Exception {
    NotLeaderDetail leader = NotLeaderDetail.newBuilder().setLeaderId("m2").setLeaderGrpcAddress("10.0.0.2:4647").build();

    StatusRuntimeException e = Statuses.of(new CompletionException(new NotLeaderException(leader)));

    assertEquals(Status.Code.FAILED_PRECONDITION, e.getStatus().getCode());
    com.google.rpc.Status status = StatusProto.fromThrowable(e);
    assertEquals(1, status.getDetailsCount());
    assertEquals(leader, status.getDetails(0).unpack(NotLeaderDetail.class));
    assertTrue(e.getStatus().getDescription().startsWith("not the leader"), e.getStatus().getDescription());
  }

  @Test
  void noLeaderKnownIsAnEmptyDetail() throws Exception {
    StatusRuntimeException e = Statuses.of(new NotLeaderException(NotLeaderDetail.getDefaultInstance()));

    assertEquals(NotLeaderDetail.getDefaultInstance(),
        StatusProto.fromThrowable(e).getDetails(0).unpack(NotLeaderDetail.class));
  }
}
