package gantry.node.acl;

import gantry.v1.AclRule;
import java.util.List;

/**
 * What one caller may do: the rules of its token's policies, or everything (a management token,
 * or ACLs off), or nothing (no token, an unknown or expired one: {@link #denial} says which).
 *
 * <p>For a need with a target (a job), the rules that reach it are those with no prefix or a
 * prefix the name starts with; a {@code deny} among them wins, otherwise a {@code read} or
 * {@code write} rule at least as high as the need allows it. For a need with no target (a list),
 * an unprefixed {@code deny} wins, and any rule high enough allows it: the list is then cut down
 * to what {@link #mayRead} allows.
 */
public final class Authorization {
  /** ACLs off, or a management token: everything is allowed. */
  public static final Authorization EVERYTHING = new Authorization("", true, List.of(), "");

  private final String accessor;
  private final boolean all;
  private final List<AclRule> rules;
  /** Non-empty: nothing is allowed, for this reason. */
  private final String denial;

  private Authorization(String accessor, boolean all, List<AclRule> rules, String denial) {
    this.accessor = accessor;
    this.all = all;
    this.rules = List.copyOf(rules);
    this.denial = denial;
  }

  /** A management token's: everything, with its accessor for the audit log. */
  public static Authorization management(String accessor) {
    return new Authorization(accessor, true, List.of(), "");
  }

  /** A token's rules (of every policy it holds that still exists). */
  public static Authorization of(String accessor, List<AclRule> rules) {
    return new Authorization(accessor, false, rules, "");
  }

  /** Nothing at all, and why ("no token sent", "token expired"...). */
  public static Authorization none(String accessor, String why) {
    return new Authorization(accessor, false, List.of(), why);
  }

  /** The token's accessor id, "" when there is no (known) token. */
  public String accessor() {
    return accessor;
  }

  /** Why this caller may do nothing, or "" when it may do something. */
  public String denial() {
    return denial;
  }

  public Decision check(Need need) {
    if (all) return Decision.ALLOW;
    if (!denial.isEmpty()) return Decision.deny(denial);
    String resource = need.resource().wireName();
    boolean granted = false;
    for (AclRule r : rules) {
      if (!r.getResource().equals(resource)) continue;
      Access level = Access.of(r.getAccess()).orElse(Access.DENY);
      boolean reaches = need.target().isEmpty()
          ? level != Access.DENY || r.getPrefix().isEmpty()
          : need.target().startsWith(r.getPrefix());
      if (!reaches) continue;
      if (level == Access.DENY) return Decision.deny(need + " needed");
      if (level.gives(need.access())) granted = true;
    }
    return granted ? Decision.ALLOW : Decision.deny(need + " needed");
  }

  /** Whether a list may show this job (and its allocations and deployments). */
  public boolean mayRead(String job) {
    return check(new Need(Resource.JOBS, Access.READ, job)).allowed();
  }

  /** Whether every job is readable, so that lists need no cutting. */
  public boolean readsAllJobs() {
    if (all) return true;
    if (!denial.isEmpty()) return false;
    boolean unprefixedRead = false;
    for (AclRule r : rules) {
      if (!r.getResource().equals(Resource.JOBS.wireName())) continue;
      if (r.getAccess().equals(Access.DENY.wireName())) return false;
      if (r.getPrefix().isEmpty()) unprefixedRead = true;
    }
    return unprefixedRead;
  }
}
