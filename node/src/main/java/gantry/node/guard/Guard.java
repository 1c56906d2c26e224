package gantry.node.guard;

import gantry.node.acl.Authorization;
import gantry.node.acl.Authorizer;
import gantry.node.acl.Decision;
import gantry.node.acl.Need;
import gantry.node.acl.Resource;
import gantry.node.guard.AccessTable.Kind;
import gantry.node.guard.AccessTable.Rule;
import java.io.IOException;
import java.time.Clock;
import java.util.Optional;

/**
 * The checks every request passes, whatever its transport: who it is ({@link #authorize}), whether
 * its rule allows it ({@link #decide}) and the audit line of a write or a denial ({@link #audit}),
 * written before the answer leaves. {@link GuardInterceptor} (gRPC) and {@link HttpGuard} (HTTP)
 * only adapt it. With ACLs off every request is allowed, and writes are still audited.
 */
public final class Guard {
  /** The job a target names, for a prefix grant: an allocation's or a deployment's job. */
  public interface Jobs {
    /** The job of the allocation with this id (or unique id prefix), if known. */
    Optional<String> jobOfAllocation(String idOrPrefix);

    /** The job of the deployment with this id (or unique id prefix), if known. */
    Optional<String> jobOfDeployment(String idOrPrefix);
  }

  /**
   * The "job" of an allocation or deployment id this peer cannot resolve (unknown, ambiguous, or
   * not applied here yet): no job name starts with it, so only a grant that reaches every job
   * (no prefix) allows the request; a prefix grant must not act on what it cannot see.
   */
  static final String UNRESOLVED = "\0unresolved";

  private final boolean acl;
  private final Authorizer authorizer;
  private final AuditSink sink;
  private final Jobs jobs;
  private final Clock clock;

  public Guard(boolean acl, Authorizer authorizer, AuditSink sink, Jobs jobs, Clock clock) {
    this.acl = acl;
    this.authorizer = authorizer;
    this.sink = sink;
    this.jobs = jobs;
    this.clock = clock;
  }

  public boolean aclEnabled() {
    return acl;
  }

  /** What the caller that sent {@code secret} (null or "" for none) may do. */
  public Authorization authorize(String secret) {
    if (!acl) {
      // ACLs off: everything, but a known token still names the caller in the audit log.
      Authorization known = secret == null || secret.isBlank() ? Authorization.EVERYTHING : authorizer.authorize(secret);
      return known.accessor().isEmpty() ? Authorization.EVERYTHING : Authorization.management(known.accessor());
    }
    return authorizer.authorize(secret);
  }

  /**
   * Whether a request may go on.
   *
   * @param rule its method's rule, empty when the method has none (refused: fail closed)
   * @param target what the request names ({@link Rule#target})
   */
  public Decision decide(Optional<Rule> rule, Authorization who, String target) {
    if (rule.isEmpty()) return acl ? Decision.deny("this method has no access rule") : Decision.ALLOW;
    Rule r = rule.get();
    if (r.open()) return Decision.ALLOW;
    return who.check(need(r, target));
  }

  /** The rule's need, aimed at the job the target names (prefix grants are about job names). */
  Need need(Rule r, String target) {
    if (r.need().resource() != Resource.JOBS || target.isEmpty()) return r.need();
    String job = switch (r.kind()) {
      case JOB -> target;
      case ALLOCATION -> jobs.jobOfAllocation(target).orElse(UNRESOLVED);
      case DEPLOYMENT -> jobs.jobOfDeployment(target).orElse(UNRESOLVED);
      case OTHER -> "";
    };
    return r.need().on(job);
  }

  /** Whether a request under this rule is audited when allowed (denials always are). */
  public static boolean audited(Optional<Rule> rule) {
    return rule.map(Rule::audited).orElse(true);
  }

  /**
   * Writes one audit line and returns once it is durable.
   *
   * @throws IOException when it is not: the caller then fails the request (UNAVAILABLE)
   */
  public void audit(Identity who, Authorization auth, String method, String target, String outcome, String reason)
      throws IOException {
    sink.record(new AuditEntry(clock.instant(), auth.accessor(), who.certName(), who.remote(), method, target, outcome,
        reason == null ? "" : reason));
  }

  /** The one line a request that could not be audited fails with. */
  public static final String AUDIT_FAILED = "audit log not writable";
}
