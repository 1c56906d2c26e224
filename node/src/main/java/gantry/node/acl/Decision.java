package gantry.node.acl;

/**
 * The answer to one {@link Need}.
 *
 * @param reason empty when allowed; else the one line a denied caller reads
 *     ("permission denied: jobs:write needed")
 */
public record Decision(boolean allowed, String reason) {
  public static final Decision ALLOW = new Decision(true, "");

  public static Decision deny(String reason) {
    return new Decision(false, "permission denied: " + reason);
  }
}
