package gantry.cli.output;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.util.JsonFormat;
import java.io.PrintWriter;

/**
 * The {@code --json} output: the response message in the canonical proto3 JSON mapping
 * (lowerCamelCase names, 64-bit integers as strings), which {@code JsonFormat.parser()} and any
 * proto3 JSON reader take back. Fields at their
 * default value are printed too, so a script sees {@code "jobs": []} rather than a missing key.
 */
public final class Json {
  private static final JsonFormat.Printer PRINTER = JsonFormat.printer()
      .alwaysPrintFieldsWithNoPresence();

  private Json() {}

  public static String format(MessageOrBuilder message) {
    try {
      return PRINTER.print(message);
    } catch (InvalidProtocolBufferException e) {
      // Only Any fields with unknown types fail; the API has none.
      throw new IllegalStateException("cannot print " + message.getClass().getSimpleName() + " as JSON", e);
    }
  }

  public static void print(PrintWriter out, MessageOrBuilder message) {
    out.println(format(message));
    out.flush();
  }
}
