package gantry.node;

import gantry.node.config.ServerConfig;
import java.io.IOException;

/** A running manager peer. (Skeleton: wiring lands with the Raft state machine.) */
public final class ManagerPeer implements AutoCloseable {
  private ManagerPeer() {}

  /** Starts the Raft server, the applied state and the gRPC/HTTP endpoints of one peer. */
  public static ManagerPeer start(ServerConfig config) throws IOException {
    throw new IOException("not wired yet");
  }

  /** Blocks until the peer is closed (by {@link #close()} or a shutdown hook). */
  public void awaitTermination() throws InterruptedException {}

  @Override
  public void close() {}
}
