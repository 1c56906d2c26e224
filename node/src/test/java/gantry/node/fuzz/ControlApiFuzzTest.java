package gantry.node.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import gantry.v1.ChangeDeploymentRequest;
import gantry.v1.ControlServiceGrpc.ControlServiceBlockingStub;
import gantry.v1.DeregisterJobRequest;
import gantry.v1.DrainNodeRequest;
import gantry.v1.GetDeploymentRequest;
import gantry.v1.GetJobRequest;
import gantry.v1.GetServiceEndpointsRequest;
import gantry.v1.ListAllocationsRequest;
import gantry.v1.ListDeploymentsRequest;
import gantry.v1.ListJobVersionsRequest;
import gantry.v1.ListJobsRequest;
import gantry.v1.RegisterJobRequest;
import gantry.v1.RevertJobRequest;
import gantry.v1.ScaleJobRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Fuzzed requests to the control API (gantry.v1.ControlService over grpc's in-process transport,
 * one real single-peer Raft group for the whole run): the write methods RegisterJob, ScaleJob,
 * DeregisterJob, DrainNode, ChangeDeployment and RevertJob, and a few reads.
 *
 * <p>An input is text: the method's name on the first line, the request as proto3 JSON after it
 * (nothing after it: the empty request), so the kept corpus is readable and its seeds are real
 * requests. An input that is no request of these methods (another name, JSON that does not
 * parse into the message) is skipped: a client cannot send it.
 *
 * <p>The contract: the status is never INTERNAL or UNKNOWN (nor DEADLINE_EXCEEDED: a hang), a
 * refusal says why, and a refused write leaves the state as it was ({@link Observed}).
 */
class ControlApiFuzzTest {
  /** Refusals whose description the caller reads to fix the request. */
  private static final Set<Status.Code> EXPLAINED = EnumSet.of(Status.Code.INVALID_ARGUMENT, Status.Code.NOT_FOUND,
      Status.Code.FAILED_PRECONDITION);
  private static final Set<Status.Code> NEVER = EnumSet.of(Status.Code.INTERNAL, Status.Code.UNKNOWN,
      Status.Code.DEADLINE_EXCEEDED);

  /** One method: its request type, the call, and whether it writes. */
  private record Method(Message prototype, boolean writes, BiFunction<ControlServiceBlockingStub, Message, Message> call) {
    @SuppressWarnings("unchecked")
    static <R extends Message> Method of(R prototype, boolean writes, BiFunction<ControlServiceBlockingStub, R, ?> call) {
      return new Method(prototype, writes, (stub, req) -> (Message) call.apply(stub, (R) req));
    }
  }

  private static final Map<String, Method> METHODS = Map.ofEntries(
      Map.entry("RegisterJob", Method.of(RegisterJobRequest.getDefaultInstance(), true, ControlServiceBlockingStub::registerJob)),
      Map.entry("ScaleJob", Method.of(ScaleJobRequest.getDefaultInstance(), true, ControlServiceBlockingStub::scaleJob)),
      Map.entry("DeregisterJob", Method.of(DeregisterJobRequest.getDefaultInstance(), true, ControlServiceBlockingStub::deregisterJob)),
      Map.entry("DrainNode", Method.of(DrainNodeRequest.getDefaultInstance(), true, ControlServiceBlockingStub::drainNode)),
      Map.entry("ChangeDeployment", Method.of(ChangeDeploymentRequest.getDefaultInstance(), true,
          ControlServiceBlockingStub::changeDeployment)),
      Map.entry("RevertJob", Method.of(RevertJobRequest.getDefaultInstance(), true, ControlServiceBlockingStub::revertJob)),
      Map.entry("GetJob", Method.of(GetJobRequest.getDefaultInstance(), false, ControlServiceBlockingStub::getJob)),
      Map.entry("ListJobs", Method.of(ListJobsRequest.getDefaultInstance(), false, ControlServiceBlockingStub::listJobs)),
      Map.entry("ListAllocations", Method.of(ListAllocationsRequest.getDefaultInstance(), false,
          ControlServiceBlockingStub::listAllocations)),
      Map.entry("ListDeployments", Method.of(ListDeploymentsRequest.getDefaultInstance(), false,
          ControlServiceBlockingStub::listDeployments)),
      Map.entry("GetDeployment", Method.of(GetDeploymentRequest.getDefaultInstance(), false, ControlServiceBlockingStub::getDeployment)),
      Map.entry("ListJobVersions", Method.of(ListJobVersionsRequest.getDefaultInstance(), false,
          ControlServiceBlockingStub::listJobVersions)),
      Map.entry("GetServiceEndpoints", Method.of(GetServiceEndpointsRequest.getDefaultInstance(), false,
          ControlServiceBlockingStub::getServiceEndpoints)));

  /** One cluster for the whole run (static), not one per input. */
  private static FuzzCluster cluster;

  /** Method names and request fields, so mutations make requests more often than noise. */
  @DictionaryEntries({"RegisterJob", "ScaleJob", "DeregisterJob", "DrainNode", "ChangeDeployment",
      "RevertJob", "GetJob", "ListAllocations", "ListJobVersions", "GetDeployment", "\"name\":",
      "\"group\":", "\"count\":", "\"version\":", "\"node\":", "\"drain\":", "\"purge\":", "\"job\":", "\"id\":",
      "\"action\":", "\"spec\":", "\"groups\":", "\"tasks\":", "\"resources\":", "\"web\"", "\"g\"", "\"n1\"",
      "DEPLOYMENT_ACTION_PROMOTE", "DEPLOYMENT_ACTION_PAUSE", "true"})
  @BeforeAll
  static void startCluster() throws Exception {
    cluster = FuzzCluster.start();
  }

  @AfterAll
  static void closeCluster() {
    if (cluster != null) cluster.close();
  }

  @FuzzTest(maxDuration = "5m")
  void call(byte[] input) throws Exception {
    String text = new String(input, StandardCharsets.UTF_8);
    int eol = text.indexOf('\n');
    String name = (eol < 0 ? text : text.substring(0, eol)).strip();
    Method method = METHODS.get(name);
    if (method == null) return;
    Message.Builder request = method.prototype().newBuilderForType();
    try {
      JsonFormat.parser().merge(eol < 0 ? "{}" : text.substring(eol + 1), request);
    } catch (InvalidProtocolBufferException | IllegalArgumentException notARequest) {
      return;
    }

    Observed before = cluster.observe();
    Status status = Status.OK;
    try {
      assertNotNull(method.call().apply(cluster.control(), request.build()));
    } catch (StatusRuntimeException refused) {
      status = refused.getStatus();
    }
    String what = name + " " + JsonFormat.printer().omittingInsignificantWhitespace().print(request) + " -> " + status;
    assertFalse(NEVER.contains(status.getCode()), what);
    if (EXPLAINED.contains(status.getCode())) {
      assertTrue(status.getDescription() != null && !status.getDescription().isBlank(), "a refusal says why: " + what);
    }
    if (!method.writes()) return;
    // UNAVAILABLE says the outcome is unknown (the write may still commit): nothing to compare.
    if (status.isOk() || status.getCode() == Status.Code.UNAVAILABLE) {
      cluster.reseed();
    } else {
      before.assertUnchangedBy(what, cluster.observe());
    }
  }
}
