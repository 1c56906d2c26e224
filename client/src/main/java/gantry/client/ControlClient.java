package gantry.client;

import gantry.v1.ControlServiceGrpc;
import gantry.v1.ControlServiceGrpc.ControlServiceBlockingStub;
import gantry.v1.NotLeaderDetail;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A ControlService connection to a list of managers. A call goes to one manager; if that one is
 * unavailable or does not answer within the deadline, the next is tried. Any peer accepts writes
 * (it forwards them through Raft) and RegisterJob with an unchanged spec is a no-op, so retrying
 * a write on another peer is safe. Channels open lazily and close with {@link #close()}. Safe
 * for use by several threads.
 *
 * <p>The channels do their I/O on one event-loop thread of this client's own, which {@link #close()}
 * stops: a thread left waiting in a selector (as gRPC's shared event loop is, for a second after
 * its last channel closes) holds up the JVM's exit by 300 ms, a third of a CLI call.
 */
public final class ControlClient implements AutoCloseable {
  public static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(10);

  private final List<String> addresses;
  private final Duration deadline;
  private final ManagerCredentials credentials;
  private final Map<String, ManagedChannel> channels = new LinkedHashMap<>();
  // The manager that answered last is asked first next time: a command making several calls
  // should not pay for a dead first address on each one.
  private volatile int preferred;
  private EventLoopGroup loop;   // made with the first channel, guarded by this

  /** Plaintext, no token. */
  public ControlClient(List<String> addresses, Duration deadline) {
    this(addresses, deadline, ManagerCredentials.plaintext());
  }

  /** With mutual TLS and/or an ACL token, as {@code credentials} say. */
  public ControlClient(List<String> addresses, Duration deadline, ManagerCredentials credentials) {
    if (addresses.isEmpty()) throw new IllegalArgumentException("no manager addresses");
    this.addresses = List.copyOf(addresses);
    this.deadline = deadline;
    this.credentials = credentials;
  }

  public ManagerCredentials credentials() {
    return credentials;
  }

  /**
   * Parses {@code host:port[,host:port...]}.
   *
   * @throws IllegalArgumentException "FIELD: reason" on a malformed address
   * @see ManagerAddresses#parse(String, String)
   */
  public static List<String> parseAddresses(String field, String text) {
    return ManagerAddresses.parse(field, text);
  }


  public List<String> addresses() {
    return addresses;
  }

  /**
   * Runs {@code rpc} against the managers in turn.
   *
   * @throws StatusRuntimeException from the first manager that answered with an error other than
   *     UNAVAILABLE or DEADLINE_EXCEEDED
   * @throws NoManagerReachableException when none answered
   */
  public <T> T call(Function<ControlServiceBlockingStub, T> rpc) {
    Status last = null;
    for (int i = 0; i < addresses.size(); i++) {
      int index = (preferred + i) % addresses.size();
      var stub = ControlServiceGrpc.newBlockingStub(channel(addresses.get(index)))
          .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
      try {
        T result = rpc.apply(stub);
        preferred = index;
        return result;
      } catch (StatusRuntimeException e) {
        var code = e.getStatus().getCode();
        if (code != Status.Code.UNAVAILABLE && code != Status.Code.DEADLINE_EXCEEDED) throw e;
        last = e.getStatus();
      }
    }
    throw new NoManagerReachableException(addresses, last);
  }

  /**
   * Runs {@code rpc} on the leader, for the calls only the leader answers (live metrics, logs): a
   * follower refuses with FAILED_PRECONDITION and a {@link NotLeaderDetail} and the call is repeated
   * there (following at most a few redirects, as during an election).
   *
   * @throws StatusRuntimeException FAILED_PRECONDITION when no leader is known
   */
  public <T> T callLeader(Function<ControlServiceBlockingStub, T> rpc) {
    try {
      return call(rpc);
    } catch (StatusRuntimeException e) {
      StatusRuntimeException last = e;
      for (int hop = 0; hop < 3; hop++) {
        String leader = leaderHint(last);
        if (leader == null) throw last;
        if (leader.isEmpty()) {
          throw Status.FAILED_PRECONDITION.withDescription("no leader is known right now (an election may be under way); "
              + "try again in a moment").asRuntimeException();
        }
        var stub = ControlServiceGrpc.newBlockingStub(channel(leader))
            .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
        try {
          return rpc.apply(stub);
        } catch (StatusRuntimeException again) {
          last = again;
        }
      }
      throw last;
    }
  }

  /**
   * A stub for {@code address} (one of {@link #addresses()}) with no deadline, for the server
   * streams that last as long as the caller reads them (WatchEvents): the caller moves on to
   * another address itself when the stream fails.
   */
  public ControlServiceBlockingStub streamingStub(String address) {
    return ControlServiceGrpc.newBlockingStub(channel(address));
  }

  /**
   * An asynchronous stub for {@code address} (one of {@link #addresses()}), for client streams
   * (RestoreSnapshot, which a blocking stub cannot make); the caller sets the deadline.
   */
  public gantry.v1.ControlServiceGrpc.ControlServiceStub asyncStub(String address) {
    return gantry.v1.ControlServiceGrpc.newStub(channel(address));
  }

  /** The leader address of a follower's refusal, "" when it knows none, null for any other error. */
  static String leaderHint(StatusRuntimeException e) {
    return LeaderHint.of(e).map(LeaderHint::leaderAddress).orElse(null);
  }

  private synchronized ManagedChannel channel(String address) {
    if (loop == null) {
      loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("gantry-control-client", true), NioIoHandler.newFactory());
    }
    return channels.computeIfAbsent(address, a -> credentials.channel(a, false, loop));
  }

  @Override
  public synchronized void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    for (ManagedChannel channel : channels.values()) {
      try {
        channel.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    channels.clear();
    if (loop != null) {
      loop.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(2, TimeUnit.SECONDS);
      loop = null;
    }
  }
}
