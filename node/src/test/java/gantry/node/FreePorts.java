package gantry.node;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Loopback ports for peers started by tests. */
public final class FreePorts {
  private static final Set<Integer> HANDED_OUT = ConcurrentHashMap.newKeySet();

  private FreePorts() {}

  /**
   * A port free right now and never handed out before in this JVM: the kernel may offer the
   * same ephemeral port twice in a row once its socket is closed, and a peer (Ratis exits the
   * process when its gRPC bind fails) must not get another's port.
   */
  public static int next() throws IOException {
    while (true) {
      try (ServerSocket s = new ServerSocket(0)) {
        if (HANDED_OUT.add(s.getLocalPort())) return s.getLocalPort();
      }
    }
  }
}
