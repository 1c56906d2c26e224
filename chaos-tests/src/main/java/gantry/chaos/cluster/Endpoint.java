package gantry.chaos.cluster;

import org.testcontainers.containers.GenericContainer;

/**
 * A container of the run as one side of a network cut: its name, fixed address, the port a
 * probe connects to (a manager's Raft port; an agent listens on none, so a probe to it is
 * refused while the path is open) and the container a probe runs in.
 */
public record Endpoint(String name, String ip, int port, GenericContainer<?> container) {}
