package gantry.node.state;

import gantry.node.store.Keys;
import gantry.v1.AclBootstrapped;
import gantry.v1.AclPolicyApplied;
import gantry.v1.AclPolicyDeleted;
import gantry.v1.AclTokenCreated;
import gantry.v1.AclTokenRevoked;
import gantry.v1.RecordOutcome;

/**
 * Replay of the ACL records. Bootstrap happens once: absent -> bootstrapped, and a second
 * bootstrap is FAILED_PRECONDITION. Policies: absent -> applied -> applied (replaced) -> absent.
 * Tokens: absent -> created -> absent (revoked). A policy that tokens still name may be deleted:
 * the tokens keep the name and lose what it granted (applying a policy of that name again gives
 * it back), so an operator can always take a grant away at once. Unknown names: NOT_FOUND.
 */
final class AclReplay {
  private final ClusterState state;

  AclReplay(ClusterState state) {
    this.state = state;
  }

  RecordOutcome bootstrap(AclBootstrapped r, long index, Mutations out) {
    if (state.aclBootstrapped()) {
      return RecordOutcome.newBuilder().setErrorCode("FAILED_PRECONDITION").setErrorMessage("ACLs are already bootstrapped").build();
    }
    state.markAclBootstrapped(index, out);
    state.putAclToken(r.getToken().toBuilder().setManagement(true).setCreateIndex(index).build(), out);
    return changed();
  }

  RecordOutcome applyPolicy(AclPolicyApplied r, long index, Mutations out) {
    var old = state.aclPolicy(r.getPolicy().getName());
    state.putAclPolicy(r.getPolicy().toBuilder()
        .setCreateIndex(old.map(p -> p.getCreateIndex()).orElse(index)).setModifyIndex(index).build(), out);
    return changed();
  }

  RecordOutcome deletePolicy(AclPolicyDeleted r, Mutations out) {
    if (state.aclPolicy(r.getName()).isEmpty()) return notFound("policy \"" + r.getName() + "\" not found");
    state.deleteAclPolicy(r.getName(), out);
    return changed();
  }

  RecordOutcome createToken(AclTokenCreated r, long index, Mutations out) {
    for (String p : r.getToken().getPoliciesList()) {
      // checked by the control layer too; a policy deleted in between must not be granted silently
      if (state.aclPolicy(p).isEmpty()) {
        return RecordOutcome.newBuilder().setErrorCode("INVALID_ARGUMENT")
            .setErrorMessage("policies: no policy \"" + p + "\" (see gantry acl policy ls)").build();
      }
    }
    state.putAclToken(r.getToken().toBuilder().setManagement(false).setCreateIndex(index).build(), out);
    return changed();
  }

  RecordOutcome revokeToken(AclTokenRevoked r, Mutations out) {
    if (state.aclToken(r.getAccessorId()).isEmpty()) return notFound("token \"" + r.getAccessorId() + "\" not found");
    state.deleteAclToken(r.getAccessorId(), out);
    return changed();
  }

  private static RecordOutcome changed() {
    return RecordOutcome.newBuilder().setChanged(true).build();
  }

  private static RecordOutcome notFound(String message) {
    return RecordOutcome.newBuilder().setErrorCode("NOT_FOUND").setErrorMessage(message).build();
  }
}
