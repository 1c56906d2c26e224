package gantry.node.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import gantry.node.backup.SnapshotFile;
import gantry.v1.ApplyAclPolicyRequest;
import gantry.v1.ControlServiceGrpc;
import gantry.v1.CreateAclTokenRequest;
import gantry.v1.ListJobsRequest;
import gantry.v1.RestoreSnapshotResponse;
import gantry.v1.SaveSnapshotRequest;
import gantry.v1.SnapshotChunk;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayOutputStream;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backup calls under ACLs, on AclGuardTest's real peer: a token with operator:read saves a
 * snapshot; the same token is denied a restore (operator:write), the denial is audited, and the
 * state is unchanged.
 */
class SnapshotAclTest {
  @TempDir Path dir;

  @Test
  void operatorReadSavesButCannotRestore() throws Exception {
    AclGuardTest.dir = dir;
    AclGuardTest.start();
    try {
      String root = AclGuardTest.root;
      AclGuardTest.stub(root).applyAclPolicy(ApplyAclPolicyRequest.newBuilder().setName("ops-read")
          .setRules("operator: read\n").build());
      String reader = AclGuardTest.stub(root).createAclToken(CreateAclTokenRequest.newBuilder().setName("backup")
          .addPolicies("ops-read").build()).getSecret();

      ByteArrayOutputStream file = new ByteArrayOutputStream();
      AclGuardTest.stub(reader).saveSnapshot(SaveSnapshotRequest.getDefaultInstance())
          .forEachRemaining(c -> file.writeBytes(c.getData().toByteArray()));
      var contents = SnapshotFile.parse(file.toByteArray());
      assertEquals(3, contents.header().getJobs());
      assertTrue(contents.entries().stream().anyMatch(e -> e.getKey().toStringUtf8().startsWith("acl-token/")),
          "ACL tokens are part of the saved state");

      var denied = assertThrows(StatusRuntimeException.class, () -> restore(reader, file.toByteArray()));
      assertEquals(Status.Code.PERMISSION_DENIED, denied.getStatus().getCode());
      assertTrue(AclGuardTest.audited.stream().anyMatch(a -> a.method().endsWith("RestoreSnapshot")
          && a.outcome().equals("denied")), "the denial is audited");
      assertEquals(3, AclGuardTest.stub(root).listJobs(ListJobsRequest.getDefaultInstance()).getJobsCount());
    } finally {
      AclGuardTest.stop();
    }
  }

  private static RestoreSnapshotResponse restore(String secret, byte[] file) throws Exception {
    Metadata headers = new Metadata();
    headers.put(GuardInterceptor.TOKEN, secret);
    CompletableFuture<RestoreSnapshotResponse> done = new CompletableFuture<>();
    StreamObserver<SnapshotChunk> up = ControlServiceGrpc.newStub(AclGuardTest.channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)).withDeadlineAfter(20, TimeUnit.SECONDS)
        .restoreSnapshot(new StreamObserver<>() {
          @Override
          public void onNext(RestoreSnapshotResponse r) {
            done.complete(r);
          }

          @Override
          public void onError(Throwable t) {
            done.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {}
        });
    up.onNext(SnapshotChunk.newBuilder().setForce(true).setData(ByteString.copyFrom(file)).build());
    up.onCompleted();
    try {
      return done.get(20, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      throw (Exception) e.getCause();
    }
  }
}
