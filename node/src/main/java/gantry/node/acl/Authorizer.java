package gantry.node.acl;

import gantry.v1.AclPolicy;
import gantry.v1.AclRule;
import gantry.v1.AclToken;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Turns the secret a caller sent into its {@link Authorization}: hashed, looked up among the
 * tokens, its policies' rules gathered. A management token may do everything; an expired one
 * nothing. The clock is injected so that expiry is tested without waiting.
 */
public final class Authorizer {
  /** The ACL objects the authorizer reads: the replicated state, in a node. */
  public interface Tokens {
    Optional<AclToken> tokenByHash(String secretHash);

    Optional<AclPolicy> policy(String name);
  }

  private final Tokens tokens;
  private final Clock clock;

  public Authorizer(Tokens tokens, Clock clock) {
    this.tokens = tokens;
    this.clock = clock;
  }

  /** @param secret what the caller sent, "" when it sent nothing */
  public Authorization authorize(String secret) {
    if (secret == null || secret.isBlank()) {
      return Authorization.none("", "no token sent (give --token, GANTRY_TOKEN or the x-gantry-token header)");
    }
    Optional<AclToken> found = tokens.tokenByHash(Secrets.hash(secret.strip()));
    if (found.isEmpty()) return Authorization.none("", "unknown token (revoked, or never created)");
    AclToken token = found.get();
    if (token.getExpireTimeMs() != 0 && clock.millis() >= token.getExpireTimeMs()) {
      return Authorization.none(token.getAccessorId(), "token " + token.getAccessorId() + " expired");
    }
    if (token.getManagement()) return Authorization.management(token.getAccessorId());
    List<AclRule> rules = new ArrayList<>();
    for (String name : token.getPoliciesList()) {
      tokens.policy(name).ifPresent(p -> rules.addAll(p.getRulesList()));
    }
    return Authorization.of(token.getAccessorId(), rules);
  }
}
