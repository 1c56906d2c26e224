package gantry.node.guard;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.node.SnapshotUpload;
import gantry.node.backup.SnapshotFile;
import gantry.v1.ApplyAclPolicyRequest;
import gantry.v1.ControlServiceGrpc;
import gantry.v1.CreateAclTokenRequest;
import gantry.v1.ListJobsRequest;
import gantry.v1.RestoreSnapshotResponse;
import gantry.v1.SaveSnapshotRequest;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayOutputStream;
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
    return SnapshotUpload.send(ControlServiceGrpc.newStub(AclGuardTest.channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)), file, file.length, true);
  }
}
