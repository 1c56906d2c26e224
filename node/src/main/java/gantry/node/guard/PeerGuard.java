package gantry.node.guard;

import gantry.node.raft.RaftNode;
import java.time.Clock;

/**
 * The guard of one manager peer: tokens, policies, allocations and deployments read from the
 * peer's applied state. Built once by ManagerPeer (and by tests that serve the API the same way).
 */
public final class PeerGuard {
  private PeerGuard() {}

  /**
   * The checks of every ControlService and HTTP API request, reading tokens and policies from
   * this peer's applied state (a token works on a peer once that peer applied its creation).
   */
  public static Guard of(boolean acl, RaftNode raft, AuditSink audit, Clock clock) {
    var tokens = new gantry.node.acl.Authorizer.Tokens() {
      @Override
      public java.util.Optional<gantry.v1.AclToken> tokenByHash(String hash) {
        return raft.stateMachine().state().aclTokenByHash(hash);
      }

      @Override
      public java.util.Optional<gantry.v1.AclPolicy> policy(String name) {
        return raft.stateMachine().state().aclPolicy(name);
      }
    };
    var jobs = new Guard.Jobs() {
      @Override
      public java.util.Optional<String> jobOfAllocation(String id) {
        var s = raft.stateMachine().state();
        return s.alloc(id).or(() -> unique(s.allocs().stream().filter(a -> a.getId().startsWith(id)).toList()))
            .map(gantry.v1.Allocation::getJob);
      }

      @Override
      public java.util.Optional<String> jobOfDeployment(String id) {
        var s = raft.stateMachine().state();
        return s.deployment(id).or(() -> unique(s.deployments("").stream().filter(d -> d.getId().startsWith(id)).toList()))
            .map(gantry.v1.Deployment::getJob);
      }
    };
    return new Guard(acl, new gantry.node.acl.Authorizer(tokens, clock), audit, jobs, clock);
  }

  private static <T> java.util.Optional<T> unique(java.util.List<T> matches) {
    return matches.size() == 1 ? java.util.Optional.of(matches.getFirst()) : java.util.Optional.empty();
  }
}
