package gantry.node.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.node.store.StateStore;
import gantry.v1.AclBootstrapped;
import gantry.v1.AclPolicy;
import gantry.v1.AclPolicyApplied;
import gantry.v1.AclPolicyDeleted;
import gantry.v1.AclRule;
import gantry.v1.AclToken;
import gantry.v1.AclTokenCreated;
import gantry.v1.AclTokenRevoked;
import gantry.v1.Record;
import gantry.v1.RecordOutcome;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.WriteBatch;

/** Replay of the ACL records: bootstrap once, NOT_FOUND for unknown names, a policy in use deleted, and load after a restart. */
class AclReplayTest {
  ClusterState state = new ClusterState();
  ClusterStateTest.MapMutations out = new ClusterStateTest.MapMutations();
  long index;

  RecordOutcome replay(Record r) {
    return state.replay(r, ++index, out, new Changes());
  }

  static Record bootstrap(String accessor, String hash) {
    return Record.newBuilder().setAclBootstrapped(AclBootstrapped.newBuilder()
        .setToken(AclToken.newBuilder().setAccessorId(accessor).setSecretHash(hash))).build();
  }

  static Record policy(String name) {
    return Record.newBuilder().setAclPolicyApplied(AclPolicyApplied.newBuilder().setPolicy(AclPolicy.newBuilder().setName(name)
        .addRules(AclRule.newBuilder().setResource("jobs").setAccess("read")))).build();
  }

  static Record token(String accessor, String hash, String policy) {
    return Record.newBuilder().setAclTokenCreated(AclTokenCreated.newBuilder()
        .setToken(AclToken.newBuilder().setAccessorId(accessor).setSecretHash(hash).addPolicies(policy))).build();
  }

  @Test
  void bootstrapIsRefusedTheSecondTime() {
    assertTrue(replay(bootstrap("root", "h1")).getChanged());
    RecordOutcome again = replay(bootstrap("other", "h2"));
    assertEquals("FAILED_PRECONDITION", again.getErrorCode());
    assertEquals("ACLs are already bootstrapped", again.getErrorMessage());
    assertTrue(state.aclTokenByHash("h1").orElseThrow().getManagement());
    assertTrue(state.aclTokenByHash("h2").isEmpty());
  }

  @Test
  void unknownNamesAreNotFoundAndAPolicyInUseMayBeDeleted() {
    assertEquals("NOT_FOUND", replay(Record.newBuilder().setAclTokenRevoked(AclTokenRevoked.newBuilder().setAccessorId("x")).build())
        .getErrorCode());
    assertEquals("NOT_FOUND", replay(Record.newBuilder().setAclPolicyDeleted(AclPolicyDeleted.newBuilder().setName("x")).build())
        .getErrorCode());
    replay(policy("dev"));
    assertTrue(replay(token("t1", "h1", "dev")).getChanged());
    assertEquals("INVALID_ARGUMENT", replay(token("t2", "h2", "nope")).getErrorCode());
    assertTrue(replay(Record.newBuilder().setAclPolicyDeleted(AclPolicyDeleted.newBuilder().setName("dev")).build()).getChanged());
    assertEquals(List.of("dev"), state.aclToken("t1").orElseThrow().getPoliciesList(), "the token keeps the name");
    assertTrue(state.aclPolicy("dev").isEmpty());
    replay(Record.newBuilder().setAclTokenRevoked(AclTokenRevoked.newBuilder().setAccessorId("t1")).build());
    assertTrue(state.aclTokenByHash("h1").isEmpty());
  }

  @Test
  void loadRebuildsTokensPoliciesAndTheBootstrapMark(@TempDir Path dir) throws Exception {
    try (StateStore store = StateStore.open(dir)) {
      try (WriteBatch wb = new WriteBatch()) {
        var m = new gantry.node.raft.TestBatchMutations(wb);
        state.replay(bootstrap("root", "h0"), 1, m, new Changes());
        state.replay(policy("dev"), 2, m, new Changes());
        state.replay(token("t1", "h1", "dev"), 3, m, new Changes());
        store.write(wb);
      }
    }
    try (StateStore store = StateStore.open(dir)) {
      ClusterState loaded = ClusterState.load(store);
      assertTrue(loaded.aclBootstrapped());
      assertEquals(state.aclTokens(), loaded.aclTokens());
      assertEquals(state.aclPolicies(), loaded.aclPolicies());
      assertEquals("t1", loaded.aclTokenByHash("h1").orElseThrow().getAccessorId());
      assertFalse(new ClusterState().aclBootstrapped());
    }
  }
}
