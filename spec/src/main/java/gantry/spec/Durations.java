package gantry.spec;

import java.time.Duration;
import java.util.regex.Pattern;

/**
 * Parses the durations users write: {@code 250ms}, {@code 2s}, {@code 5m}, {@code 1h}, or a plain
 * number of ms. Job specs and the server's configuration file share this one reading of a duration.
 */
public final class Durations {
  private static final Pattern FORM = Pattern.compile("(\\d{1,12})(ms|s|m|h)?");

  private Durations() {}

  /**
   * @param field names the value in the error message
   * @throws SpecException naming {@code field} if the text is not a non-negative duration
   */
  public static Duration parse(String field, String text) {
    var m = FORM.matcher(text.trim());
    if (!m.matches()) {
      throw new SpecException(field, "expected a duration like 500ms, 2s, 5m or 1h, got \"" + text + "\"");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "ms" : m.group(2);
    return switch (unit) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      case "m" -> Duration.ofMinutes(n);
      case "h" -> Duration.ofHours(n);
      default -> throw new AssertionError(unit);
    };
  }
}
