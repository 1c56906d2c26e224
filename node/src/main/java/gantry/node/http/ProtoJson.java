package gantry.node.http;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import com.google.protobuf.util.JsonFormat;
import gantry.spec.SpecException;
import java.util.Optional;

/**
 * The JSON of the HTTP API: the gRPC messages in the canonical proto3 JSON mapping, printed as
 * {@code gantry ... --json} prints them (lowerCamelCase names, 64-bit integers as strings, fields
 * at their default value included, so a script sees {@code "jobs": []} rather than no key), and
 * read back with the same mapping. Errors are a small JSON object of their own.
 */
final class ProtoJson {
  static final String CONTENT_TYPE = "application/json";

  private static final JsonFormat.Printer PRINTER = JsonFormat.printer().alwaysPrintFieldsWithNoPresence();
  /** Unknown fields are refused: a misspelt field silently dropped would register a different job. */
  private static final JsonFormat.Parser PARSER = JsonFormat.parser();

  private ProtoJson() {}

  static String print(MessageOrBuilder message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      // Only Any fields of unknown types fail; the API's messages have none.
      throw new IllegalStateException("cannot print " + message.getClass().getSimpleName() + " as JSON", e);
    }
  }

  /**
   * Reads {@code json} into {@code into}.
   *
   * @param what the field path to blame in the error ({@code spec}, {@code body})
   * @throws SpecException naming {@code what} when the text is not that message in proto3 JSON
   */
  static <B extends Message.Builder> B parse(String json, B into, String what) {
    try {
      PARSER.merge(json, into);
      return into;
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      String type = into.getDescriptorForType().getName();
      throw new SpecException(what, "not a " + type + " in protobuf JSON: " + e.getMessage());
    }
  }

  /** {@code {"error": message, "field": field}}; without "field" when the message names none. */
  static String error(String message, Optional<String> field) {
    Struct.Builder body = Struct.newBuilder().putFields("error", Value.newBuilder().setStringValue(message).build());
    field.ifPresent(f -> body.putFields("field", Value.newBuilder().setStringValue(f).build()));
    return print(body);
  }
}
