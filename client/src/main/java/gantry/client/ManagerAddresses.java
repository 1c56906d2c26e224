package gantry.client;

import java.util.ArrayList;
import java.util.List;

/**
 * Manager addresses as users write them: {@code host:port[,host:port...]}. Checked once at the
 * edge so that a typo fails at once, naming the flag or variable it came from, rather than as a
 * connection error later.
 */
public final class ManagerAddresses {
  /** The environment variable the CLI and {@link GantryNameResolverProvider#fromEnvironment()} read. */
  public static final String ENV = "GANTRY_ADDR";

  private ManagerAddresses() {}

  /**
   * Parses a comma-separated list; blanks around and between entries are ignored.
   *
   * @param field what the text came from ("--address", "GANTRY_ADDR"), for the message
   * @throws IllegalArgumentException "FIELD: reason" on an empty list or a malformed entry
   */
  public static List<String> parse(String field, String text) {
    List<String> out = new ArrayList<>();
    for (String part : (text == null ? "" : text).split(",")) {
      if (!part.isBlank()) out.add(check(field, part.strip()));
    }
    if (out.isEmpty()) throw invalid(field, "expected host:port[,host:port...], got \"" + text + "\"");
    return List.copyOf(out);
  }

  /**
   * @throws IllegalArgumentException unless {@code value} is host:port with a port in 1..65535
   *     (an IPv6 host in brackets: {@code [::1]:4647})
   */
  public static String check(String field, String value) {
    int colon = value.lastIndexOf(':');
    if (colon <= 0 || colon == value.length() - 1) throw invalid(field, "expected host:port, got \"" + value + "\"");
    int port;
    try {
      port = Integer.parseInt(value.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw invalid(field, "port is not a number in \"" + value + "\"");
    }
    if (port < 1 || port > 65535) throw invalid(field, "port " + port + " is outside 1..65535");
    return value;
  }

  private static IllegalArgumentException invalid(String field, String reason) {
    return new IllegalArgumentException(field + ": " + reason);
  }
}
