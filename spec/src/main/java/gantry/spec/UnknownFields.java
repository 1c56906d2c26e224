package gantry.spec;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the fields of a message tree that this build's protos do not know. protobuf keeps them
 * as unknown fields rather than failing; a spec written for a newer server (say, with a setting
 * this one lacks) would otherwise be stored and run with that setting silently dropped.
 */
final class UnknownFields {
  /**
   * The fields of a message type that hold messages, in field-number order (map entries left
   * out: they hold strings only, and protobuf drops unknown fields inside them). Read from the
   * descriptor once per type: every registration's spec is walked, and asking a message for all
   * its set fields builds a sorted map of every one of them (1 % of a manager's CPU under writes).
   */
  private static final Map<Descriptor, List<FieldDescriptor>> MESSAGE_FIELDS = new ConcurrentHashMap<>();

  private UnknownFields() {}

  /** One violation per unknown field number, {@code groups[0].tasks[0]: unknown field 99}; the root is {@code spec}. */
  static List<String> in(Message root) {
    List<String> found = new ArrayList<>();
    walk(null, root, found);
    return found;
  }

  /** Where a message sits in the tree, rendered only for a violation. */
  private record At(At parent, String field, int index) {
    static final int SINGLE = -1;

    @Override
    public String toString() {
      String own = index == SINGLE ? field : field + "[" + index + "]";
      return parent == null ? own : parent + "." + own;
    }
  }

  private static void walk(At at, Message m, List<String> found) {
    for (int number : m.getUnknownFields().asMap().keySet()) {
      found.add((at == null ? "spec" : at.toString()) + ": unknown field " + number
          + " (this server does not know it; is the client newer than the server?)");
    }
    for (FieldDescriptor field : MESSAGE_FIELDS.computeIfAbsent(m.getDescriptorForType(), UnknownFields::messageFields)) {
      if (field.isRepeated()) {
        int n = m.getRepeatedFieldCount(field);
        for (int i = 0; i < n; i++) walk(new At(at, field.getName(), i), (Message) m.getRepeatedField(field, i), found);
      } else if (m.hasField(field)) {
        walk(new At(at, field.getName(), At.SINGLE), (Message) m.getField(field), found);
      }
    }
  }

  private static List<FieldDescriptor> messageFields(Descriptor type) {
    return type.getFields().stream()
        .filter(f -> f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && !f.isMapField())
        .sorted(Comparator.comparingInt(FieldDescriptor::getNumber))
        .toList();
  }
}
