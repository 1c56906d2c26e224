package gantry.agent.driver.docker;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The little JSON the engine API needs, read into plain values: objects as {@code Map<String,
 * Object>} (keys in order), arrays as {@code List<Object>}, strings, {@code Long} for integers
 * that fit (else {@code BigInteger}), {@code Double} for the rest, {@code Boolean} and {@code null};
 * and written back from the same kinds. No binding and no reflection, so the agent loads a handful
 * of classes for it instead of a databind library's hundreds.
 */
final class Json {
  private final String text;
  private int at;

  private Json(String text) {
    this.text = text;
  }

  /** @throws IllegalArgumentException naming the offset when {@code text} is not one JSON value */
  static Object parse(String text) {
    Json p = new Json(text);
    p.space();
    Object v = p.value();
    p.space();
    if (p.at != text.length()) throw p.error("text after the value");
    return v;
  }

  /** {@code value} as compact JSON; maps, lists, strings, numbers, booleans and null only. */
  static String write(Object value) {
    StringBuilder out = new StringBuilder();
    write(value, out);
    return out.toString();
  }

  /** The object member {@code path[0].path[1]...}, or null when any step is missing or not an object. */
  static Object at(Object root, String... path) {
    Object v = root;
    for (String key : path) {
      if (!(v instanceof Map<?, ?> m)) return null;
      v = m.get(key);
    }
    return v;
  }

  /** {@link #at} as a long, or null when absent or not a number. */
  static Long longAt(Object root, String... path) {
    return at(root, path) instanceof Number n ? n.longValue() : null;
  }

  /** {@link #at} as a string, or null when absent or not a string. */
  static String stringAt(Object root, String... path) {
    return at(root, path) instanceof String s ? s : null;
  }

  /** {@link #at} is {@code true}. */
  static boolean isTrue(Object root, String... path) {
    return Boolean.TRUE.equals(at(root, path));
  }

  private Object value() {
    if (at >= text.length()) throw error("a value expected");
    char c = text.charAt(at);
    switch (c) {
      case '{':
        return object();
      case '[':
        return array();
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", null);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return number();
        throw error("unexpected '" + c + "'");
    }
  }

  private Map<String, Object> object() {
    Map<String, Object> m = new LinkedHashMap<>();
    at++;
    space();
    if (peek('}')) return m;
    while (true) {
      space();
      if (at >= text.length() || text.charAt(at) != '"') throw error("a member name expected");
      String key = string();
      space();
      expect(':');
      space();
      m.put(key, value());
      space();
      if (peek('}')) return m;
      if (!peek(',')) throw error("',' or '}' expected");
    }
  }

  private List<Object> array() {
    List<Object> l = new ArrayList<>();
    at++;
    space();
    if (peek(']')) return l;
    while (true) {
      space();
      l.add(value());
      space();
      if (peek(']')) return l;
      if (!peek(',')) throw error("',' or ']' expected");
    }
  }

  private String string() {
    at++;
    StringBuilder s = new StringBuilder();
    while (true) {
      if (at >= text.length()) throw error("an unterminated string");
      char c = text.charAt(at++);
      if (c == '"') return s.toString();
      if (c != '\\') {
        s.append(c);
        continue;
      }
      if (at >= text.length()) throw error("an unterminated escape");
      char e = text.charAt(at++);
      switch (e) {
        case '"', '\\', '/' -> s.append(e);
        case 'b' -> s.append('\b');
        case 'f' -> s.append('\f');
        case 'n' -> s.append('\n');
        case 'r' -> s.append('\r');
        case 't' -> s.append('\t');
        case 'u' -> {
          if (at + 4 > text.length()) throw error("a short \\u escape");
          try {
            s.append((char) Integer.parseInt(text.substring(at, at + 4), 16));
          } catch (NumberFormatException x) {
            throw error("a bad \\u escape");
          }
          at += 4;
        }
        default -> throw error("a bad escape \\" + e);
      }
    }
  }

  private Object number() {
    int start = at;
    boolean integer = true;
    if (text.charAt(at) == '-') at++;
    while (at < text.length()) {
      char c = text.charAt(at);
      if (c >= '0' && c <= '9') {
        at++;
      } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
        integer = false;
        at++;
      } else {
        break;
      }
    }
    String n = text.substring(start, at);
    try {
      if (!integer) return Double.parseDouble(n);
      BigInteger big = new BigInteger(n);
      return big.bitLength() < 64 ? (Object) big.longValue() : big;
    } catch (NumberFormatException e) {
      throw error("a bad number " + n);
    }
  }

  private Object literal(String word, Object value) {
    if (!text.startsWith(word, at)) throw error("unexpected '" + text.charAt(at) + "'");
    at += word.length();
    return value;
  }

  private boolean peek(char c) {
    if (at < text.length() && text.charAt(at) == c) {
      at++;
      return true;
    }
    return false;
  }

  private void expect(char c) {
    if (!peek(c)) throw error("'" + c + "' expected");
  }

  private void space() {
    while (at < text.length() && Character.isWhitespace(text.charAt(at))) at++;
  }

  private IllegalArgumentException error(String what) {
    return new IllegalArgumentException("not JSON: " + what + " at offset " + at);
  }

  private static void write(Object v, StringBuilder out) {
    if (v == null) {
      out.append("null");
    } else if (v instanceof String s) {
      quote(s, out);
    } else if (v instanceof Number || v instanceof Boolean) {
      out.append(v);
    } else if (v instanceof Map<?, ?> m) {
      out.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!first) out.append(',');
        first = false;
        quote(String.valueOf(e.getKey()), out);
        out.append(':');
        write(e.getValue(), out);
      }
      out.append('}');
    } else if (v instanceof List<?> l) {
      out.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) out.append(',');
        write(l.get(i), out);
      }
      out.append(']');
    } else {
      throw new IllegalArgumentException("cannot write a " + v.getClass().getName() + " as JSON");
    }
  }

  private static void quote(String s, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }
}
