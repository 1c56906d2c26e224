package gantry.spec.fuzz;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.google.protobuf.Descriptors.EnumValueDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.UnknownFieldSet;
import java.util.List;

/**
 * Builds a protobuf message of any type from fuzzer bytes, field by field through its
 * descriptor, so the fuzzer mutates specs rather than wire bytes that rarely parse. Strings and
 * numbers are drawn now from the words and edges the rules care about (valid names, drivers,
 * operators, 0, -1, the limits), now freely, so both sides of every rule are reached.
 */
final class FuzzedProto {
  /** Nesting of messages; a JobSpec is four deep (spec, group, task, check). */
  private static final int MAX_DEPTH = 5;
  private static final int MAX_REPEATED = 3;
  private static final List<String> WORDS = List.of("", "web", "api", "g", "t", "http", "service", "batch", "system",
      "exec", "docker", "binpack", "spread", "=", "!=", "regexp", "version", "set_contains", "distinct_hosts", "fail",
      "delay", "start_first", "stop_first", "checks", "task_states", "tcp", "/", "/health", "${node.class}",
      "${attr.os}", "(a+)+$", "[", ">= 1.2", "nginx:1.27", "/bin/sh", "..", "/tmp/../etc", "x".repeat(129), "A_b-1.c",
      "\u0000", "é");
  private static final List<Long> EDGES = List.of(0L, 1L, -1L, 2L, 10L, 100L, 1000L, 10_000L, 10_001L, 65_535L, 65_536L,
      (long) Integer.MAX_VALUE, (long) Integer.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE);

  private final FuzzedDataProvider data;

  FuzzedProto(FuzzedDataProvider data) {
    this.data = data;
  }

  /** A message of {@code prototype}'s type, its fields chosen by the fuzzer. */
  @SuppressWarnings("unchecked")
  <M extends Message> M of(M prototype) {
    return (M) fill(prototype.newBuilderForType(), 0).build();
  }

  /** A string as the rules see them: often a word they know, sometimes anything. */
  String string() {
    return data.consumeBoolean() ? data.pickValue(WORDS) : data.consumeString(40);
  }

  /** A number near an edge the rules check, or any number. */
  long number() {
    return data.consumeBoolean() ? data.pickValue(EDGES) : data.consumeLong();
  }

  private Message.Builder fill(Message.Builder b, int depth) {
    for (FieldDescriptor f : b.getDescriptorForType().getFields()) {
      if (data.remainingBytes() == 0 || !data.consumeBoolean()) continue;
      if (f.getJavaType() == FieldDescriptor.JavaType.MESSAGE && depth >= MAX_DEPTH) continue;
      if (f.isRepeated()) {
        int n = data.consumeInt(0, MAX_REPEATED);
        for (int i = 0; i < n; i++) b.addRepeatedField(f, value(b, f, depth));
      } else {
        b.setField(f, value(b, f, depth));
      }
    }
    if (data.remainingBytes() > 0 && data.consumeProbabilityFloat() < 0.02f) {
      // A field this build does not know, as a newer client would send.
      b.setUnknownFields(UnknownFieldSet.newBuilder()
          .addField(data.consumeInt(100, 1000), UnknownFieldSet.Field.newBuilder().addVarint(1).build()).build());
    }
    return b;
  }

  private Object value(Message.Builder parent, FieldDescriptor f, int depth) {
    return switch (f.getJavaType()) {
      case STRING -> string();
      case INT -> (int) number();
      case LONG -> number();
      case BOOLEAN -> data.consumeBoolean();
      case FLOAT -> data.consumeFloat();
      case DOUBLE -> data.consumeDouble();
      case BYTE_STRING -> com.google.protobuf.ByteString.copyFrom(data.consumeBytes(16));
      case ENUM -> {
        List<EnumValueDescriptor> values = f.getEnumType().getValues();
        yield values.get(data.consumeInt(0, values.size() - 1));
      }
      case MESSAGE -> fill(parent.newBuilderForField(f), depth + 1).build();
    };
  }
}
