package gantry.agent.session;

import gantry.v1.AgentMessage;
import gantry.v1.ManagerMessage;
import gantry.v1.RegisterNodeRequest;
import gantry.v1.RegisterNodeResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * How the session reaches a manager at a {@code host:port} address. Asynchronous throughout, so
 * thousands of simulated sessions need no thread each. The real one is {@link GrpcTransport}.
 */
public interface ManagerTransport extends AutoCloseable {

  /**
   * Registers the node. Completes exceptionally with {@link NotLeaderException} when the peer is a
   * follower, with any other exception when the peer cannot be reached or refuses.
   */
  CompletableFuture<RegisterNodeResponse> register(String address, RegisterNodeRequest request, Duration timeout);

  /** Opens a Session stream; messages and the end of the stream go to {@code listener}. */
  SessionStream openSession(String address, StreamListener listener);

  /** The agent's side of one open stream. */
  interface SessionStream {
    /** Sends one message; callers serialize their calls. Never throws for a broken stream. */
    void send(AgentMessage message);

    /** Ends the stream from the agent's side (half-close, then cancel). */
    void close();
  }

  /** Receives what the manager sends on a stream. */
  interface StreamListener {
    void onMessage(ManagerMessage message);

    /**
     * The stream ended. {@code leaderHint} is the leader's address when the manager ended it as a
     * follower (empty string: leader unknown), else null.
     */
    void onClosed(String reason, String leaderHint);
  }

  @Override
  void close();
}
