package gantry.node.control;

import gantry.node.acl.PolicyException;
import gantry.node.acl.PolicyParser;
import gantry.node.acl.Secrets;
import gantry.node.raft.Proposer.Proposal;
import gantry.node.raft.RaftNode;
import gantry.node.state.ClusterState;
import gantry.v1.AclBootstrapped;
import gantry.v1.AclPolicy;
import gantry.v1.AclPolicyApplied;
import gantry.v1.AclPolicyDeleted;
import gantry.v1.AclToken;
import gantry.v1.AclTokenCreated;
import gantry.v1.AclTokenInfo;
import gantry.v1.AclTokenRevoked;
import gantry.v1.ApplyAclPolicyRequest;
import gantry.v1.ApplyAclPolicyResponse;
import gantry.v1.BootstrapAclResponse;
import gantry.v1.CreateAclTokenRequest;
import gantry.v1.CreateAclTokenResponse;
import gantry.v1.DeleteAclPolicyRequest;
import gantry.v1.DeleteAclPolicyResponse;
import gantry.v1.ListAclPoliciesResponse;
import gantry.v1.ListAclTokensResponse;
import gantry.v1.Record;
import gantry.v1.RecordOutcome;
import gantry.v1.RevokeAclTokenRequest;
import gantry.v1.RevokeAclTokenResponse;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * The ACL requests: validated, turned into records. Secrets are made here, on the manager that
 * takes the request, and only their hash goes into the record; the response carries the secret
 * once. Lists are answered from this peer's applied state (they hold no secret to protect from
 * staleness, and the guard reads the same state).
 */
public final class AclControl {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");

  private final RaftNode raft;
  private final Clock clock;

  public AclControl(RaftNode raft, Clock clock) {
    this.raft = raft;
    this.clock = clock;
  }

  public CompletableFuture<BootstrapAclResponse> bootstrap() {
    String secret = Secrets.newSecret();
    AclToken token = AclToken.newBuilder().setAccessorId(Secrets.newAccessor()).setName("bootstrap")
        .setManagement(true).setSecretHash(Secrets.hash(secret)).setCreateTimeMs(clock.millis()).build();
    return propose(Record.newBuilder().setAclBootstrapped(AclBootstrapped.newBuilder().setToken(token)).build())
        .thenApply(p -> BootstrapAclResponse.newBuilder().setToken(info(state().aclToken(token.getAccessorId()).orElse(token)))
            .setSecret(secret).setIndex(p.index()).build());
  }

  public CompletableFuture<ApplyAclPolicyResponse> applyPolicy(ApplyAclPolicyRequest req) {
    name("name", req.getName());
    List<gantry.v1.AclRule> rules;
    try {
      rules = PolicyParser.parse(req.getRules());
    } catch (PolicyException e) {
      throw new ControlException(ControlException.Code.INVALID_ARGUMENT, e.getMessage());
    }
    AclPolicy policy = AclPolicy.newBuilder().setName(req.getName()).setDescription(req.getDescription())
        .setRulesText(req.getRules()).addAllRules(rules).build();
    return propose(Record.newBuilder().setAclPolicyApplied(AclPolicyApplied.newBuilder().setPolicy(policy)).build())
        .thenApply(p -> ApplyAclPolicyResponse.newBuilder()
            .setPolicy(state().aclPolicy(req.getName()).orElse(policy)).setIndex(p.index()).build());
  }

  public ListAclPoliciesResponse listPolicies() {
    return ListAclPoliciesResponse.newBuilder().addAllPolicies(state().aclPolicies()).build();
  }

  public CompletableFuture<DeleteAclPolicyResponse> deletePolicy(DeleteAclPolicyRequest req) {
    if (req.getName().isEmpty()) throw new ControlException(ControlException.Code.INVALID_ARGUMENT, "name: is required");
    return propose(Record.newBuilder().setAclPolicyDeleted(AclPolicyDeleted.newBuilder().setName(req.getName())).build())
        .thenApply(p -> DeleteAclPolicyResponse.newBuilder().setIndex(p.index()).build());
  }

  public CompletableFuture<CreateAclTokenResponse> createToken(CreateAclTokenRequest req) {
    name("name", req.getName());
    if (req.getPoliciesCount() == 0) {
      throw new ControlException(ControlException.Code.INVALID_ARGUMENT, "policies: at least one policy is required");
    }
    for (String p : req.getPoliciesList()) {
      if (state().aclPolicy(p).isEmpty()) {
        throw new ControlException(ControlException.Code.INVALID_ARGUMENT, "policies: no policy \"" + p + "\" (see gantry acl policy ls)");
      }
    }
    long now = clock.millis();
    String secret = Secrets.newSecret();
    AclToken token = AclToken.newBuilder().setAccessorId(Secrets.newAccessor()).setName(req.getName())
        .addAllPolicies(req.getPoliciesList()).setSecretHash(Secrets.hash(secret)).setCreateTimeMs(now)
        .setExpireTimeMs(req.getTtlMs() == 0 ? 0 : now + req.getTtlMs()).build();
    return propose(Record.newBuilder().setAclTokenCreated(AclTokenCreated.newBuilder().setToken(token)).build())
        .thenApply(p -> CreateAclTokenResponse.newBuilder().setToken(info(token)).setSecret(secret).setIndex(p.index()).build());
  }

  public ListAclTokensResponse listTokens() {
    ListAclTokensResponse.Builder b = ListAclTokensResponse.newBuilder();
    state().aclTokens().forEach(t -> b.addTokens(info(t)));
    return b.build();
  }

  public CompletableFuture<RevokeAclTokenResponse> revokeToken(RevokeAclTokenRequest req) {
    if (req.getAccessorId().isEmpty()) throw new ControlException(ControlException.Code.INVALID_ARGUMENT, "accessor_id: is required");
    return propose(Record.newBuilder().setAclTokenRevoked(AclTokenRevoked.newBuilder().setAccessorId(req.getAccessorId())).build())
        .thenApply(p -> RevokeAclTokenResponse.newBuilder().setIndex(p.index()).build());
  }

  /** A token as a client sees it: never the secret's hash. */
  public static AclTokenInfo info(AclToken t) {
    return AclTokenInfo.newBuilder().setAccessorId(t.getAccessorId()).setName(t.getName()).addAllPolicies(t.getPoliciesList())
        .setManagement(t.getManagement()).setCreateTimeMs(t.getCreateTimeMs()).setExpireTimeMs(t.getExpireTimeMs()).build();
  }

  private static void name(String field, String value) {
    if (value.isEmpty()) throw new ControlException(ControlException.Code.INVALID_ARGUMENT, field + ": is required");
    if (!NAME.matcher(value).matches()) {
      throw new ControlException(ControlException.Code.INVALID_ARGUMENT, field
          + ": letters, digits, '.', '_' and '-' only, starting with a letter or digit, at most 64, got \"" + value + "\"");
    }
  }

  private ClusterState state() {
    return raft.stateMachine().state();
  }

  private CompletableFuture<Proposal> propose(Record r) {
    String diverged = raft.divergedReason();
    if (diverged != null) {
      throw new ControlException(ControlException.Code.FAILED_PRECONDITION, "peer " + raft.id() + " has diverged: " + diverged);
    }
    return raft.proposer().propose(List.of(r)).thenApply(p -> {
      RecordOutcome o = p.outcomes().getFirst();
      if (!o.getErrorCode().isEmpty()) {
        throw new ControlException(ControlException.Code.valueOf(o.getErrorCode()), o.getErrorMessage());
      }
      return p;
    });
  }
}
