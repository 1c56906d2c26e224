package gantry.spec;

import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.IntConsumer;
import java.util.function.LongConsumer;
import java.util.regex.Pattern;

/**
 * One mapping of a parsed spec file and the path that leads to it. Every read checks the type and
 * throws a {@link SpecException} naming {@code path.key}, so the user sees where the mistake is
 * rather than a Java type error. Absent and null keys are skipped: proto defaults then apply and
 * the server decides what an omitted field means.
 */
final class SpecMap {
  private static final Pattern MEMORY = Pattern.compile("(?i)(\\d{1,12})\\s*(mib|mi|mb|m|gib|gi|gb|g)?");

  /** A key shown in a path without quotes: a word, as the field names are (node's HttpErrors reads paths back). */
  private static final Pattern PLAIN_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final String path;
  private final Map<?, ?> values;

  private SpecMap(String path, Map<?, ?> values) {
    this.path = path;
    this.values = values;
  }

  /** @param path the path of {@code value}, or "" for the document root */
  static SpecMap of(String path, Object value) {
    if (value instanceof Map<?, ?> map) return new SpecMap(path, map);
    throw new SpecException(path.isEmpty() ? "spec" : path, "expected a mapping, got " + describe(value));
  }

  /** Rejects keys outside {@code known}: a typo would otherwise silently drop a setting. */
  SpecMap allowOnly(List<String> known) {
    for (Object key : values.keySet()) {
      if (!(key instanceof String k) || !known.contains(k)) {
        throw new SpecException(child(shown(key)), "unknown field (known: " + String.join(", ", known) + ")");
      }
    }
    return this;
  }

  void string(String key, Consumer<String> set) {
    Object v = values.get(key);
    if (v != null) set.accept(scalar(child(key), v));
  }

  void integer(String key, IntConsumer set) {
    Object v = values.get(key);
    if (v != null) set.accept((int) whole(child(key), v, Integer.MIN_VALUE, Integer.MAX_VALUE, "a whole number"));
  }

  void wholeNumber(String key, String expected, LongConsumer set) {
    Object v = values.get(key);
    if (v != null) set.accept(whole(child(key), v, Long.MIN_VALUE, Long.MAX_VALUE, expected));
  }

  void bool(String key, Consumer<Boolean> set) {
    Object v = values.get(key);
    if (v == null) return;
    if (!(v instanceof Boolean b)) throw new SpecException(child(key), "expected true or false, got " + describe(v));
    set.accept(b);
  }

  void durationMs(String key, LongConsumer set) {
    Object v = values.get(key);
    if (v == null) return;
    String field = child(key);
    if (!(v instanceof String) && !(v instanceof Integer) && !(v instanceof Long)) {
      throw new SpecException(field, "expected a duration like 500ms, 2s, 5m or 1h, got " + describe(v));
    }
    set.accept(Durations.parse(field, String.valueOf(v)).toMillis());
  }

  /** A whole number of MiB, or a string with a unit: 512MiB, 512M, 1GiB, 1G (M and MB mean MiB here). */
  void memoryMiB(String key, LongConsumer set) {
    Object v = values.get(key);
    if (v == null) return;
    String field = child(key);
    String expected = "expected a whole number of MiB (or 512MiB, 1GiB), got " + describe(v);
    if (v instanceof Integer || v instanceof Long) {
      set.accept(((Number) v).longValue());
      return;
    }
    if (!(v instanceof String s)) throw new SpecException(field, expected);
    var m = MEMORY.matcher(s.trim());
    if (!m.matches()) throw new SpecException(field, expected);
    long n = Long.parseLong(m.group(1));
    boolean gib = m.group(2) != null && m.group(2).toLowerCase().startsWith("g");
    set.accept(gib ? Math.multiplyExact(n, 1024L) : n);
  }

  void mapping(String key, Consumer<SpecMap> read) {
    Object v = values.get(key);
    if (v != null) read.accept(of(child(key), v));
  }

  /** A list of mappings; each element is read with its index in the path, e.g. {@code groups[2]}. */
  void mappings(String key, Consumer<SpecMap> read) {
    List<?> list = list(key);
    for (int i = 0; i < list.size(); i++) read.accept(of(child(key) + "[" + i + "]", list.get(i)));
  }

  void strings(String key, Consumer<String> add) {
    List<?> list = list(key);
    for (int i = 0; i < list.size(); i++) add.accept(scalar(child(key) + "[" + i + "]", list.get(i)));
  }

  void stringMap(String key, BiConsumer<String, String> put) {
    Object v = values.get(key);
    if (v == null) return;
    if (!(v instanceof Map<?, ?> map)) throw new SpecException(child(key), "expected a mapping of names to values, got " + describe(v));
    map.forEach((k, val) -> {
      String field = child(key) + "." + k;
      if (val == null) throw new SpecException(field, "expected a value, got nothing");
      put.accept(scalar(field, k), scalar(field, val));
    });
  }

  private List<?> list(String key) {
    Object v = values.get(key);
    if (v == null) return List.of();
    if (!(v instanceof List<?> list)) throw new SpecException(child(key), "expected a list, got " + describe(v));
    return list;
  }

  /** The path of {@code key} in this mapping, for errors the parser finds in a value it read. */
  String field(String key) {
    return child(key);
  }

  /**
   * A key as the path shows it: a plain word as is, anything else quoted and escaped, so an empty
   * key, a blank one or one with a line break still names a field ({@code "": unknown field}).
   */
  private static String shown(Object key) {
    String k = String.valueOf(key);
    if (PLAIN_KEY.matcher(k).matches()) return k;
    var quoted = new StringBuilder("\"");
    k.codePoints().forEach(c -> {
      if (c == '"' || c == '\\') quoted.append('\\').appendCodePoint(c);
      else if (Character.isISOControl(c) || !Character.isDefined(c)) quoted.append(String.format(Locale.ROOT, "\\u%04x", c));
      else quoted.appendCodePoint(c);
    });
    return quoted.append('"').toString();
  }

  private String child(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  // Numbers and booleans are accepted where text is expected: `value: 8080` or
  // `command: [sleep, 3600]` mean the text the user sees, not a type error.
  private static String scalar(String field, Object v) {
    if (v instanceof String s) return s;
    if (v instanceof Number || v instanceof Boolean) return String.valueOf(v);
    throw new SpecException(field, "expected text, got " + describe(v));
  }

  private static long whole(String field, Object v, long min, long max, String expected) {
    BigInteger n = switch (v) {
      case Integer i -> BigInteger.valueOf(i);
      case Long l -> BigInteger.valueOf(l);
      case BigInteger b -> b;
      default -> throw new SpecException(field, "expected " + expected + ", got " + describe(v));
    };
    if (n.compareTo(BigInteger.valueOf(min)) < 0 || n.compareTo(BigInteger.valueOf(max)) > 0) {
      throw new SpecException(field, n + " is out of range");
    }
    return n.longValueExact();
  }

  static String describe(Object v) {
    return switch (v) {
      case null -> "nothing";
      case String s -> "\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\"";
      case Map<?, ?> m -> "a mapping";
      case List<?> l -> "a list";
      default -> String.valueOf(v);
    };
  }
}
