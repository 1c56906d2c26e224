package gantry.node.acl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import gantry.v1.AclPolicy;
import gantry.v1.AclToken;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuthorizerTest {
  private final Map<String, AclToken> tokens = new HashMap<>();
  private final Map<String, AclPolicy> policies = new HashMap<>();
  private Clock clock = Clock.fixed(Instant.ofEpochMilli(1_000_000), ZoneOffset.UTC);

  private Authorizer authorizer() {
    return new Authorizer(new Authorizer.Tokens() {
      @Override
      public Optional<AclToken> tokenByHash(String hash) {
        return Optional.ofNullable(tokens.get(hash));
      }

      @Override
      public Optional<AclPolicy> policy(String name) {
        return Optional.ofNullable(policies.get(name));
      }
    }, clock);
  }

  private void policy(String name, String yaml) {
    policies.put(name, AclPolicy.newBuilder().setName(name).addAllRules(PolicyParser.parse(yaml)).build());
  }

  /** A token holding the policies; returns its secret. */
  private String token(long expireMs, boolean management, String... policyNames) {
    String secret = Secrets.newSecret();
    tokens.put(Secrets.hash(secret), AclToken.newBuilder().setAccessorId(Secrets.newAccessor()).setManagement(management)
        .addAllPolicies(java.util.List.of(policyNames)).setSecretHash(Secrets.hash(secret)).setExpireTimeMs(expireMs).build());
    return secret;
  }

  private static Need jobs(Access access, String job) {
    return new Need(Resource.JOBS, access, job);
  }

  @Test
  void writeImpliesReadAndNothingElse() {
    policy("dev", "jobs: write\nnodes: read");
    Authorization a = authorizer().authorize(token(0, false, "dev"));
    assertTrue(a.check(jobs(Access.READ, "web")).allowed());
    assertTrue(a.check(jobs(Access.WRITE, "web")).allowed());
    assertTrue(a.check(Need.read(Resource.NODES)).allowed());
    Decision drain = a.check(Need.write(Resource.NODES));
    assertFalse(drain.allowed());
    assertEquals("permission denied: nodes:write needed", drain.reason());
    assertEquals("permission denied: acl:read needed", a.check(Need.read(Resource.ACL)).reason());
  }

  @Test
  void denyWinsAcrossPolicies() {
    policy("all", "jobs: write");
    policy("not-secret", "jobs: {access: deny, prefix: secret-}");
    policy("none", "jobs: deny");
    Authorization some = authorizer().authorize(token(0, false, "all", "not-secret"));
    assertTrue(some.check(jobs(Access.WRITE, "web")).allowed());
    assertEquals("permission denied: jobs:read needed", some.check(jobs(Access.READ, "secret-db")).reason());
    assertFalse(some.mayRead("secret-db"));
    assertTrue(some.check(jobs(Access.READ, "")).allowed(), "a list is allowed, then cut");
    assertFalse(some.readsAllJobs());
    Authorization none = authorizer().authorize(token(0, false, "all", "none"));
    assertFalse(none.check(jobs(Access.READ, "")).allowed());
    assertFalse(none.check(jobs(Access.READ, "web")).allowed());
  }

  @Test
  void prefixGrantsReachOnlyTheirJobs() {
    policy("team-a", "jobs: {access: write, prefix: team-a-}");
    Authorization a = authorizer().authorize(token(0, false, "team-a"));
    assertTrue(a.check(jobs(Access.WRITE, "team-a-web")).allowed());
    assertFalse(a.check(jobs(Access.READ, "team-b-web")).allowed());
    assertTrue(a.check(jobs(Access.READ, "")).allowed());
    assertTrue(a.mayRead("team-a-db"));
    assertFalse(a.mayRead("team-b-db"));
    assertFalse(a.readsAllJobs());
  }

  @Test
  void managementMayDoEverythingAndADeletedPolicyGrantsNothing() {
    Authorization root = authorizer().authorize(token(0, true));
    assertTrue(root.check(Need.write(Resource.ACL)).allowed());
    assertTrue(root.readsAllJobs());
    Authorization orphan = authorizer().authorize(token(0, false, "gone"));
    assertEquals("permission denied: jobs:read needed", orphan.check(jobs(Access.READ, "web")).reason());
  }

  @Test
  void anExpiredTokenMayDoNothingAndSaysWhy() {
    String secret = token(2_000_000, true);
    assertTrue(authorizer().authorize(secret).check(Need.write(Resource.ACL)).allowed());
    clock = Clock.fixed(Instant.ofEpochMilli(2_000_000), ZoneOffset.UTC);
    Decision late = authorizer().authorize(secret).check(Need.read(Resource.JOBS));
    assertFalse(late.allowed());
    assertTrue(late.reason().startsWith("permission denied: token ") && late.reason().endsWith(" expired"), late.reason());
  }

  @Test
  void missingAndUnknownTokensSayWhich() {
    assertTrue(authorizer().authorize("").check(Need.read(Resource.JOBS)).reason().contains("no token sent"));
    assertTrue(authorizer().authorize(Secrets.newSecret()).check(Need.read(Resource.JOBS)).reason().contains("unknown token"));
  }

  @Test
  void secretsAre128BitsAndHashedWithSha256() {
    String s = Secrets.newSecret();
    assertEquals(32, s.length());
    assertNotEquals(s, Secrets.newSecret());
    assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", Secrets.hash(""));
  }
}
