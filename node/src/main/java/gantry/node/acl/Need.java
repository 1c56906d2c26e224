package gantry.node.acl;

/**
 * What one request needs: a capability on a resource, and (for jobs) the job it touches. The
 * guard derives it from the method or route; the {@link Authorization} answers it.
 *
 * @param target the job name the request names, or "" when it names none (a list, a node...)
 */
public record Need(Resource resource, Access access, String target) {
  public Need {
    if (access == Access.DENY) throw new IllegalArgumentException("a request needs read or write, not deny");
    target = target == null ? "" : target;
  }

  public static Need read(Resource resource) {
    return new Need(resource, Access.READ, "");
  }

  public static Need write(Resource resource) {
    return new Need(resource, Access.WRITE, "");
  }

  /** The same need, for a named target. */
  public Need on(String target) {
    return new Need(resource, access, target);
  }

  /** Whether a request with this need changes state (and so is audited when allowed). */
  public boolean changesState() {
    return access == Access.WRITE;
  }

  /** "jobs:write", as denials name it. */
  @Override
  public String toString() {
    return resource.wireName() + ":" + access.wireName();
  }
}
