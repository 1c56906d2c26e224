package gantry.spec;

import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds the fields of a message tree that this build's protos do not know. protobuf keeps them
 * as unknown fields rather than failing; a spec written for a newer server (say, with a setting
 * this one lacks) would otherwise be stored and run with that setting silently dropped.
 */
final class UnknownFields {
  private UnknownFields() {}

  /** One violation per unknown field number, {@code groups[0].tasks[0]: unknown field 99}; the root is {@code spec}. */
  static List<String> in(Message root) {
    List<String> found = new ArrayList<>();
    walk("", root, found);
    return found;
  }

  private static void walk(String path, Message m, List<String> found) {
    for (int number : m.getUnknownFields().asMap().keySet()) {
      found.add((path.isEmpty() ? "spec" : path) + ": unknown field " + number
          + " (this server does not know it; is the client newer than the server?)");
    }
    for (Map.Entry<FieldDescriptor, Object> e : m.getAllFields().entrySet()) {
      FieldDescriptor field = e.getKey();
      // Map entries (meta, env) hold strings only, and protobuf drops unknown fields inside them.
      if (field.getJavaType() != FieldDescriptor.JavaType.MESSAGE || field.isMapField()) continue;
      String at = path.isEmpty() ? field.getName() : path + "." + field.getName();
      if (field.isRepeated()) {
        List<?> items = (List<?>) e.getValue();
        for (int i = 0; i < items.size(); i++) walk(at + "[" + i + "]", (Message) items.get(i), found);
      } else {
        walk(at, (Message) e.getValue(), found);
      }
    }
  }
}
