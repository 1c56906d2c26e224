package gantry.cli.output;

import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What changed between two versions of a spec, as one line per changed key:
 * {@code groups[frontend].tasks[httpd].image: local/busybox:1 -> local/nope:1}.
 *
 * <p>The two messages are compared field by field in declaration order, so the lines follow the
 * spec's shape. Paths use the proto field names. Lists of messages that have a {@code name} (groups,
 * tasks, ports) are matched by name, so reordering them is no change and an element is
 * {@code added} or {@code removed}; other lists of messages are matched by position; lists of
 * scalars are shown whole. Map entries are matched by key ({@code env[GREETING]}). A value that is
 * not set shows as {@code (none)}; an empty string as {@code ""}.
 */
public final class SpecDiff {
  private static final String NONE = "(none)";
  private static final String KEY_FIELD = "name";

  private SpecDiff() {}

  /** The changed keys from {@code before} to {@code after}, empty when they are equal. */
  public static List<String> of(Message before, Message after) {
    if (before.getDescriptorForType() != after.getDescriptorForType()) {
      throw new IllegalArgumentException("cannot compare " + before.getDescriptorForType().getFullName()
          + " with " + after.getDescriptorForType().getFullName());
    }
    List<String> lines = new ArrayList<>();
    message("", before, after, lines);
    return lines;
  }

  private static void message(String path, Message before, Message after, List<String> lines) {
    if (before.equals(after)) return;
    for (FieldDescriptor field : before.getDescriptorForType().getFields()) {
      String at = path.isEmpty() ? field.getName() : path + "." + field.getName();
      if (field.isMapField()) {
        map(at, field, before, after, lines);
      } else if (field.isRepeated()) {
        repeated(at, field, before, after, lines);
      } else if (field.getJavaType() == FieldDescriptor.JavaType.MESSAGE) {
        nested(at, field, before, after, lines);
      } else {
        String was = scalar(field, before);
        String now = scalar(field, after);
        if (!was.equals(now)) lines.add(at + ": " + was + " -> " + now);
      }
    }
  }

  // A nested message set on one side only: compare with its defaults, and if that shows no key
  // (it was set to all defaults) still say that it appeared or went.
  private static void nested(String at, FieldDescriptor field, Message before, Message after, List<String> lines) {
    boolean had = before.hasField(field);
    boolean has = after.hasField(field);
    if (!had && !has) return;
    int size = lines.size();
    message(at, (Message) before.getField(field), (Message) after.getField(field), lines);
    if (lines.size() == size && had != has) lines.add(at + ": " + (had ? "removed" : "added"));
  }

  private static void repeated(String at, FieldDescriptor field, Message before, Message after, List<String> lines) {
    List<?> was = (List<?>) before.getField(field);
    List<?> now = (List<?>) after.getField(field);
    if (was.equals(now)) return;
    if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
      lines.add(at + ": " + list(was) + " -> " + list(now));
      return;
    }
    FieldDescriptor key = field.getMessageType().findFieldByName(KEY_FIELD);
    if (key != null && key.getJavaType() == FieldDescriptor.JavaType.STRING && !key.isRepeated()) {
      keyed(at, byKey(key, was), byKey(key, now), lines);
      return;
    }
    Map<String, Message> wasByIndex = new LinkedHashMap<>();
    Map<String, Message> nowByIndex = new LinkedHashMap<>();
    for (int i = 0; i < was.size(); i++) wasByIndex.put(Integer.toString(i), (Message) was.get(i));
    for (int i = 0; i < now.size(); i++) nowByIndex.put(Integer.toString(i), (Message) now.get(i));
    keyed(at, wasByIndex, nowByIndex, lines);
  }

  private static void map(String at, FieldDescriptor field, Message before, Message after, List<String> lines) {
    Map<String, Object> was = entries(field, before);
    Map<String, Object> now = entries(field, after);
    if (was.equals(now)) return;
    List<String> keys = new ArrayList<>(was.keySet());
    now.keySet().stream().filter(k -> !was.containsKey(k)).forEach(keys::add);
    keys.sort(null);
    for (String k : keys) {
      Object a = was.get(k);
      Object b = now.get(k);
      String entry = at + "[" + k + "]";
      if (a instanceof Message ma && b instanceof Message mb) {
        message(entry, ma, mb, lines);
      } else if (a instanceof Message || b instanceof Message) {
        lines.add(entry + ": " + (a == null ? "added" : "removed"));
      } else if (a == null || b == null || !a.equals(b)) {
        lines.add(entry + ": " + (a == null ? NONE : value(a)) + " -> " + (b == null ? NONE : value(b)));
      }
    }
  }

  private static void keyed(String at, Map<String, Message> was, Map<String, Message> now, List<String> lines) {
    for (var e : was.entrySet()) {
      String element = at + "[" + e.getKey() + "]";
      Message other = now.get(e.getKey());
      if (other == null) {
        lines.add(element + ": removed");
      } else {
        message(element, e.getValue(), other, lines);
      }
    }
    for (var e : now.entrySet()) {
      if (!was.containsKey(e.getKey())) lines.add(at + "[" + e.getKey() + "]: added");
    }
  }

  private static Map<String, Message> byKey(FieldDescriptor key, List<?> elements) {
    Map<String, Message> out = new LinkedHashMap<>();
    for (Object o : elements) {
      Message m = (Message) o;
      // Names are unique where the server checks them; a duplicate keeps its position instead.
      String name = (String) m.getField(key);
      out.putIfAbsent(out.containsKey(name) ? name + "#" + out.size() : name, m);
    }
    return out;
  }

  private static Map<String, Object> entries(FieldDescriptor field, Message m) {
    FieldDescriptor keyField = field.getMessageType().findFieldByName("key");
    FieldDescriptor valueField = field.getMessageType().findFieldByName("value");
    Map<String, Object> out = new LinkedHashMap<>();
    for (Object o : (List<?>) m.getField(field)) {
      Message entry = (Message) o;
      out.put(String.valueOf(entry.getField(keyField)), entry.getField(valueField));
    }
    return out;
  }

  private static String scalar(FieldDescriptor field, Message m) {
    if (field.hasPresence() && !m.hasField(field)) return NONE;
    return value(m.getField(field));
  }

  private static String list(List<?> values) {
    List<String> shown = new ArrayList<>(values.size());
    for (Object v : values) shown.add(value(v));
    return "[" + String.join(", ", shown) + "]";
  }

  private static String value(Object v) {
    return switch (v) {
      case String s when s.isEmpty() -> "\"\"";
      case String s -> s;
      case EnumValueDescriptor e -> e.getName();
      default -> String.valueOf(v);
    };
  }
}
