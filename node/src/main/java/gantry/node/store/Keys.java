package gantry.node.store;

import java.nio.charset.StandardCharsets;

/** The key space of the state store: one prefix per kind of object. */
public final class Keys {
  /** The Raft term and index of the last applied entry. */
  public static final String APPLIED = "m/applied";
  public static final String JOB = "j/";
  public static final String PEER = "p/";
  public static final String NODE = "n/";
  public static final String ALLOC = "a/";
  public static final String EVAL = "e/";
  public static final String DEPLOYMENT = "d/";
  /** Every registered version of a job: v/NAME/VERSION (20 digits, so they sort). */
  public static final String JOB_VERSION = "v/";

  /** ACL policies by name. */
  public static final String ACL_POLICY = "acl-policy/";
  /** ACL tokens by accessor id (with the secret's hash, never the secret). */
  public static final String ACL_TOKEN = "acl-token/";
  /** Present once ACLs were bootstrapped: a second bootstrap is refused. */
  public static final String ACL_BOOTSTRAPPED = "m/acl-bootstrapped";

  private Keys() {}

  public static String aclPolicy(String name) {
    return ACL_POLICY + name;
  }

  public static String aclToken(String accessor) {
    return ACL_TOKEN + accessor;
  }

  public static String job(String name) {
    return JOB + name;
  }

  public static String peer(String id) {
    return PEER + id;
  }

  public static String node(String id) {
    return NODE + id;
  }

  public static String alloc(String id) {
    return ALLOC + id;
  }

  public static String eval(String id) {
    return EVAL + id;
  }

  public static String deployment(String id) {
    return DEPLOYMENT + id;
  }

  public static String jobVersion(String name, long version) {
    return JOB_VERSION + name + "/" + sortable(version);
  }

  /**
   * {@code value} in 20 decimal digits, zeros first, so that keys sort by it: what
   * {@code String.format("%020d", value)} gives, without the formatter's parse of its pattern (a
   * restarted manager makes one such key per job it loads, and replay one per registration).
   */
  public static String sortable(long value) {
    if (value < 0) return String.format("%020d", value);
    String digits = Long.toString(value);
    return "0".repeat(20 - digits.length()) + digits;
  }

  /** The prefix of every version of one job. */
  public static String jobVersions(String name) {
    return JOB_VERSION + name + "/";
  }

  public static byte[] bytes(String key) {
    return key.getBytes(StandardCharsets.UTF_8);
  }
}
