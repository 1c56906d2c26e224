package gantry.agent.driver;

/**
 * One published port: connections to {@code hostPort} on the node reach {@code containerPort}
 * inside the task. The scheduler picks host ports; the driver never does.
 */
public record PortMapping(int hostPort, int containerPort, Protocol protocol) {

  /** Transport of a published port. */
  public enum Protocol { TCP, UDP }

  public PortMapping {
    checkPort("hostPort", hostPort);
    checkPort("containerPort", containerPort);
    if (protocol == null) {
      throw new IllegalArgumentException("port protocol is required");
    }
  }

  /** A TCP mapping, the usual case. */
  public static PortMapping tcp(int hostPort, int containerPort) {
    return new PortMapping(hostPort, containerPort, Protocol.TCP);
  }

  private static void checkPort(String name, int port) {
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(name + " must be in 1..65535, got " + port);
    }
  }
}
