package gantry.node.config;

import java.net.InetSocketAddress;

/** host:port values: checked once at the edge, parsed where a socket is opened. */
public final class HostPorts {
  private HostPorts() {}

  /** @throws ConfigException unless {@code value} is host:port with a port in 1..65535 (0 allowed if {@code anyPort}) */
  public static String check(String field, String value, boolean anyPort) {
    int colon = value.lastIndexOf(':');
    if (colon <= 0 || colon == value.length() - 1) {
      throw new ConfigException(field, "expected host:port, got \"" + value + "\"");
    }
    int port;
    try {
      port = Integer.parseInt(value.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new ConfigException(field, "port is not a number in \"" + value + "\"");
    }
    if (port < (anyPort ? 0 : 1) || port > 65535) {
      throw new ConfigException(field, "port " + port + " is outside 1..65535");
    }
    return value;
  }

  public static InetSocketAddress parse(String value) {
    int colon = value.lastIndexOf(':');
    String host = value.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
    return new InetSocketAddress(host, Integer.parseInt(value.substring(colon + 1)));
  }
}
