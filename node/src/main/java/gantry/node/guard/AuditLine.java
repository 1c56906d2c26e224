package gantry.node.guard;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import gantry.v1.AuditRecord;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

/**
 * The audit file's line format: one JSON object per entry, keys {@code time, accessor, cert,
 * remote, method, target, outcome, reason} in that order, every value a string, the whole on one
 * line. The keys are those of the {@link AuditRecord} message, so a line parses straight into it
 * and {@code gantry operator audit} prints the same keys the file has.
 *
 * <p>Written by hand rather than by a JSON library so that the escaping is plain and certain:
 * every control character (newline, carriage return, NUL, ...) and U+2028/U+2029 is escaped, so
 * no field can split a line or confuse a line-oriented reader. Each field is cut at
 * {@link #MAX_FIELD_CHARS} (a caller controls the target and the reason's text), so one denied
 * request cannot write a huge line.
 */
public final class AuditLine {
  /** Fields longer than this are cut and end with "...". */
  public static final int MAX_FIELD_CHARS = 2048;

  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
      .withZone(ZoneOffset.UTC);
  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

  private AuditLine() {}

  /** The entry as one line of JSON, without the line end. */
  public static String format(AuditEntry e) {
    StringBuilder out = new StringBuilder(256);
    out.append('{');
    field(out, "time", time(e.time()));
    out.append(',');
    field(out, "accessor", e.accessor());
    out.append(',');
    field(out, "cert", e.certName());
    out.append(',');
    field(out, "remote", e.remote());
    out.append(',');
    field(out, "method", e.method());
    out.append(',');
    field(out, "target", e.target());
    out.append(',');
    field(out, "outcome", e.outcome());
    out.append(',');
    field(out, "reason", e.reason());
    return out.append('}').toString();
  }

  /** RFC 3339, UTC, milliseconds: {@code 2026-12-01T03:04:05.678Z}. */
  public static String time(Instant t) {
    return TIME.format(t.truncatedTo(ChronoUnit.MILLIS));
  }

  /** A line of the file as the API's record, or empty when it is not a whole entry (a line torn by a crash). */
  public static Optional<AuditRecord> parse(String line) {
    AuditRecord.Builder b = AuditRecord.newBuilder();
    try {
      PARSER.merge(line, b);
    } catch (InvalidProtocolBufferException | RuntimeException e) {
      return Optional.empty();
    }
    return b.getTime().isEmpty() ? Optional.empty() : Optional.of(b.build());
  }

  /** The time of a parsed record, or empty when it is not an RFC 3339 time. */
  public static Optional<Instant> timeOf(AuditRecord r) {
    try {
      return Optional.of(Instant.parse(r.getTime()));
    } catch (DateTimeParseException e) {
      return Optional.empty();
    }
  }

  private static void field(StringBuilder out, String key, String value) {
    out.append('"').append(key).append("\":\"");
    String v = value == null ? "" : value;
    if (v.length() > MAX_FIELD_CHARS) v = v.substring(0, MAX_FIELD_CHARS - 3) + "...";
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        default -> {
          if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || Character.isSurrogate(c) && !validSurrogate(v, i)) {
            out.append(String.format("\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  /** A lone surrogate would make the file invalid UTF-8; escaped it stays valid JSON. */
  private static boolean validSurrogate(String v, int i) {
    char c = v.charAt(i);
    if (Character.isHighSurrogate(c)) return i + 1 < v.length() && Character.isLowSurrogate(v.charAt(i + 1));
    return i > 0 && Character.isHighSurrogate(v.charAt(i - 1));
  }
}
