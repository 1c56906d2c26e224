package gantry.scheduler.feasible;

import com.google.re2j.Pattern;
import com.google.re2j.PatternSyntaxException;
import gantry.v1.Node;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * One compiled attribute test, the operand of a constraint or an affinity: regexps and
 * version ranges are parsed once per evaluation, not once per node. The test looks at the
 * attribute's value only (null when the node lacks it), so it can also be run once per
 * distinct value of the snapshot's attribute index instead of once per node.
 */
public record ConstraintMatcher(NodeAttributes.Ref ref, ValueTest test) {
  /** Every operator a constraint may use. */
  public static final List<String> OPERATORS =
      List.of("=", "!=", "regexp", "version", "set_contains", "distinct_hosts");

  /** The operator applied to one value; {@code v} is null when the attribute is missing. */
  public sealed interface ValueTest {
    boolean test(String v);
  }

  /** {@code =}: the attribute exists and equals the value. */
  public record Equals(String value) implements ValueTest {
    @Override
    public boolean test(String v) {
      return value.equals(v);
    }
  }

  /** {@code !=}: the attribute is missing or differs. */
  public record NotEquals(String value) implements ValueTest {
    @Override
    public boolean test(String v) {
      return !value.equals(v);
    }
  }

  /**
   * {@code regexp}: the attribute exists and the pattern finds a match in it. The pattern is the
   * user's, so it runs on RE2/J: linear time in the value, where a backtracking matcher could take
   * exponential time on {@code (a+)+$} and stall the leader's scheduler.
   */
  public record Regexp(Pattern pattern) implements ValueTest {
    @Override
    public boolean test(String v) {
      if (v == null) {
        return false;
      }
      try {
        return pattern.matcher(v).find();
      } catch (StackOverflowError e) {
        // RE2/J's matcher recurses along empty-width paths. The validator bounds the pattern's
        // size so this does not happen on a worker's stack; if a stored pattern still gets here,
        // the node does not match rather than the worker thread dying.
        return false;
      }
    }
  }

  /** {@code version}: the attribute parses as a version inside the range. */
  public record Version(VersionRange range) implements ValueTest {
    @Override
    public boolean test(String v) {
      return range.matches(v);
    }
  }

  /** {@code set_contains}: the attribute, a comma list, contains every listed value. */
  public record SetContains(Set<String> values) implements ValueTest {
    @Override
    public boolean test(String v) {
      return v != null && splitSet(v).containsAll(values);
    }
  }

  /** A constraint that can never hold (bad regexp, bad version, unknown operator). */
  public record Invalid(String why) implements ValueTest {
    @Override
    public boolean test(String v) {
      return false;
    }
  }

  public String attribute() {
    return ref.attribute();
  }

  public boolean matches(Node n) {
    return test.test(ref.lookup(n));
  }

  static Set<String> splitSet(String s) {
    Set<String> out = new HashSet<>();
    Arrays.stream(s.split(",")).map(String::strip).filter(x -> !x.isEmpty()).forEach(out::add);
    return out;
  }

  /** Compiles an operator; distinct_hosts is not an attribute test and is handled elsewhere. */
  public static ConstraintMatcher compile(String attribute, String operator, String value) {
    ValueTest t;
    try {
      t = switch (operator) {
        case "=", "==", "" -> new Equals(value);
        case "!=" -> new NotEquals(value);
        case "regexp" -> new Regexp(Pattern.compile(value));
        case "version" -> new Version(VersionRange.parse(value));
        case "set_contains" -> new SetContains(Set.copyOf(splitSet(value)));
        default -> new Invalid("unknown operator " + operator);
      };
    } catch (IllegalArgumentException | PatternSyntaxException e) {
      t = new Invalid(e.getMessage());
    }
    return new ConstraintMatcher(NodeAttributes.Ref.parse(attribute), t);
  }
}
