package gantry.scheduler.feasible;

import java.util.ArrayList;
import java.util.List;

/**
 * A version constraint such as {@code ">= 1.2, < 2"}: every comma-separated clause must hold.
 * Versions compare numerically per dot-separated part (missing parts are 0); anything after
 * the first non-digit/non-dot character ("-beta") is ignored.
 */
public record VersionRange(List<Clause> clauses) {
  /** One comparison; {@code op} is one of = == != > >= < <=. */
  public record Clause(String op, long[] version) {}

  public VersionRange {
    clauses = List.copyOf(clauses);
  }

  /** Parses a range; throws IllegalArgumentException on bad syntax. */
  public static VersionRange parse(String text) {
    List<Clause> out = new ArrayList<>();
    for (String raw : text.split(",")) {
      String s = raw.strip();
      if (s.isEmpty()) {
        continue;
      }
      int i = 0;
      while (i < s.length() && "<>=!".indexOf(s.charAt(i)) >= 0) {
        i++;
      }
      String op = i == 0 ? "=" : s.substring(0, i);
      if (!List.of("=", "==", "!=", ">", ">=", "<", "<=").contains(op)) {
        throw new IllegalArgumentException("bad version operator " + op);
      }
      long[] v = parseVersion(s.substring(i).strip());
      if (v == null) {
        throw new IllegalArgumentException("bad version " + s);
      }
      out.add(new Clause(op, v));
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException("empty version constraint");
    }
    return new VersionRange(out);
  }

  /** Numeric parts of a version, or null if it does not start with a digit. */
  public static long[] parseVersion(String s) {
    if (s.startsWith("v")) {
      s = s.substring(1);
    }
    int end = 0;
    while (end < s.length() && (Character.isDigit(s.charAt(end)) || s.charAt(end) == '.')) {
      end++;
    }
    String core = s.substring(0, end);
    if (core.isEmpty() || !Character.isDigit(core.charAt(0))) {
      return null;
    }
    String[] parts = core.split("\\.");
    long[] v = new long[parts.length];
    for (int i = 0; i < parts.length; i++) {
      if (parts[i].isEmpty()) {
        return null;
      }
      try {
        v[i] = Long.parseLong(parts[i]);
      } catch (NumberFormatException e) {
        return null;
      }
    }
    return v;
  }

  static int compare(long[] a, long[] b) {
    for (int i = 0; i < Math.max(a.length, b.length); i++) {
      long x = i < a.length ? a[i] : 0;
      long y = i < b.length ? b[i] : 0;
      if (x != y) {
        return Long.compare(x, y);
      }
    }
    return 0;
  }

  public boolean matches(String version) {
    long[] v = version == null ? null : parseVersion(version.strip());
    if (v == null) {
      return false;
    }
    for (Clause c : clauses) {
      int cmp = compare(v, c.version());
      boolean ok = switch (c.op()) {
        case "=", "==" -> cmp == 0;
        case "!=" -> cmp != 0;
        case ">" -> cmp > 0;
        case ">=" -> cmp >= 0;
        case "<" -> cmp < 0;
        default -> cmp <= 0;
      };
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
