package gantry.node.acl;

import gantry.spec.Limits;
import gantry.v1.AclRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a policy file:
 *
 * <pre>
 * jobs: read                      # read | write | deny, every job
 * jobs: {access: write, prefix: team-a-}   # or only the jobs whose name starts with the prefix
 * jobs: [{access: write, prefix: team-a-}, {access: read}]   # or several
 * nodes: read                     # read | write | deny
 * operator: read                  # raft peers, digest, live metrics, logs; write: transfer leadership
 * acl: write                      # policies and tokens
 * events: read                    # read | deny: the event stream
 * </pre>
 *
 * <p>SnakeYAML's SafeConstructor under the same limits as job specs (no arbitrary types, no alias
 * bombs, 1 MiB). Every error names the key: {@code jobs.access: expected read, write or deny, got "wrte"}.
 */
public final class PolicyParser {
  private static final String KEYS = "jobs, nodes, operator, acl or events";

  private PolicyParser() {}

  /** The rules of a policy file, in file order. */
  public static List<AclRule> parse(String text) {
    if (text == null || text.isBlank()) throw new PolicyException("rules: the policy file is empty; expected a mapping with " + KEYS);
    if (text.length() > Limits.MAX_FILE_BYTES) throw new PolicyException("rules: the file is over the limit of 1 MiB");
    Object doc;
    try {
      doc = gantry.spec.SafeYaml.load(text);
    } catch (gantry.spec.SafeYaml.Invalid e) {
      throw new PolicyException("rules: " + e.getMessage());
    }
    if (!(doc instanceof Map<?, ?> top)) {
      throw new PolicyException("rules: expected a mapping with " + KEYS + ", got " + describe(doc));
    }
    List<AclRule> rules = new ArrayList<>();
    for (var e : top.entrySet()) {
      String key = String.valueOf(e.getKey());
      Resource resource = Resource.of(key)
          .orElseThrow(() -> new PolicyException(key + ": unknown key; expected " + KEYS));
      switch (e.getValue()) {
        case String s -> rules.add(rule(resource, key, s, ""));
        case Map<?, ?> m -> rules.add(block(resource, key, m));
        case List<?> list when resource == Resource.JOBS -> {
          if (list.isEmpty()) throw new PolicyException(key + ": the list is empty; give at least one {access, prefix}");
          for (int i = 0; i < list.size(); i++) {
            String at = key + "[" + i + "]";
            if (!(list.get(i) instanceof Map<?, ?> m)) {
              throw new PolicyException(at + ": expected a mapping {access, prefix}, got " + describe(list.get(i)));
            }
            rules.add(block(resource, at, m));
          }
        }
        case null, default -> throw new PolicyException(key + ": expected " + levels(resource)
            + (resource == Resource.JOBS ? " (or {access, prefix})" : "") + ", got " + describe(e.getValue()));
      }
    }
    if (rules.isEmpty()) throw new PolicyException("rules: the policy grants nothing; expected " + KEYS);
    return rules;
  }

  private static AclRule block(Resource resource, String at, Map<?, ?> m) {
    if (resource != Resource.JOBS) {
      throw new PolicyException(at + ": expected " + levels(resource) + "; only jobs take {access, prefix}");
    }
    for (Object k : m.keySet()) {
      if (!"access".equals(k) && !"prefix".equals(k)) {
        throw new PolicyException(at + "." + k + ": unknown key; expected access or prefix");
      }
    }
    if (!(m.get("access") instanceof String access)) {
      throw new PolicyException(at + ".access: expected " + levels(resource) + ", got " + describe(m.get("access")));
    }
    Object prefix = m.get("prefix");
    if (prefix != null && !(prefix instanceof String)) {
      throw new PolicyException(at + ".prefix: expected the start of job names, got " + describe(prefix));
    }
    return rule(resource, at + ".access", access, prefix == null ? "" : (String) prefix);
  }

  private static AclRule rule(Resource resource, String at, String level, String prefix) {
    Access access = Access.of(level).orElse(null);
    if (access == null || (resource == Resource.EVENTS && access == Access.WRITE)) {
      throw new PolicyException(at + ": expected " + levels(resource) + ", got \"" + level + "\"");
    }
    return AclRule.newBuilder().setResource(resource.wireName()).setAccess(access.wireName()).setPrefix(prefix).build();
  }

  private static String levels(Resource resource) {
    return resource == Resource.EVENTS ? "read or deny" : "read, write or deny";
  }

  private static String describe(Object value) {
    return switch (value) {
      case null -> "nothing";
      case String s -> "\"" + s + "\"";
      case Map<?, ?> m -> "a mapping";
      case List<?> l -> "a list";
      default -> value.getClass().getSimpleName().toLowerCase(java.util.Locale.ROOT) + " " + value;
    };
  }
}
