package gantry.client;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * How a client proves itself to the managers: mutual TLS with the cluster's CA and a certificate
 * of its own ({@code gantry tls cert create --role client}), and an ACL token sent with every call
 * as the {@code x-gantry-token} header. Either may be absent: plaintext, no token.
 *
 * <p>Every channel to a manager (the control client's, the {@code gantry:///} resolver's) is
 * built by {@link #channel}, so TLS and the token reach all of them the same way.
 */
public final class ManagerCredentials {
  /** The gRPC header that carries the token; its HTTP twin is {@code X-Gantry-Token}. */
  public static final Metadata.Key<String> TOKEN_HEADER = TokenInterceptor.TOKEN;
  public static final String ENV_CA = "GANTRY_TLS_CA";
  public static final String ENV_CERT = "GANTRY_TLS_CERT";
  public static final String ENV_KEY = "GANTRY_TLS_KEY";
  public static final String ENV_TOKEN = "GANTRY_TOKEN";

  private static final ManagerCredentials PLAINTEXT = new ManagerCredentials(InsecureChannelCredentials.create(), false, "");

  private final ChannelCredentials channel;
  private final boolean tls;
  private final String token;

  private ManagerCredentials(ChannelCredentials channel, boolean tls, String token) {
    this.channel = channel;
    this.tls = tls;
    this.token = token;
  }

  /** Plaintext and no token, as a cluster without security expects. */
  public static ManagerCredentials plaintext() {
    return PLAINTEXT;
  }

  /**
   * Mutual TLS: trust only {@code ca}'s server-role certificates for the host dialled
   * ({@link ManagerTrust}), present {@code cert} with its {@code key} (PEM, the key in PKCS#8, as
   * {@code gantry tls} writes them).
   *
   * @param fields the names the three paths came from (flags or variables), for the message
   * @throws IllegalArgumentException naming the field of a file that is missing or not PEM
   */
  public static ManagerCredentials tls(Path ca, Path cert, Path key, String... fields) {
    String[] names = fields.length == 3 ? fields : new String[] {"ca", "cert", "key"};
    Path[] paths = {ca, cert, key};
    for (int i = 0; i < 3; i++) {
      if (!Files.isReadable(paths[i])) throw new IllegalArgumentException(names[i] + ": cannot read " + paths[i]);
    }
    try {
      return new ManagerCredentials(TlsChannelCredentials.newBuilder()
          .trustManager(ManagerTrust.of(ca))
          .keyManager(cert.toFile(), key.toFile())
          .build(), true, "");
    } catch (IOException | java.security.GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException(names[0] + ", " + names[1] + ", " + names[2] + ": not a usable CA, certificate and key ("
          + e.getMessage() + ")", e);
    }
  }

  /**
   * From flags, falling back to {@code GANTRY_TLS_CA/CERT/KEY} and {@code GANTRY_TOKEN}: TLS when
   * the three files are named (one or two of them is an error), the token when it is not blank.
   *
   * @param ca, cert, key, token the flag values, null or empty when not given
   * @param env the environment (System.getenv() outside tests)
   * @throws IllegalArgumentException naming the flag or variable that is missing or unreadable
   */
  public static ManagerCredentials of(String ca, String cert, String key, String token, Map<String, String> env) {
    String[][] files = {
        {"--tls-ca", ENV_CA, ca}, {"--tls-cert", ENV_CERT, cert}, {"--tls-key", ENV_KEY, key}};
    String[] values = new String[3];
    String[] names = new String[3];
    int given = 0;
    for (int i = 0; i < 3; i++) {
      boolean flag = files[i][2] != null && !files[i][2].isBlank();
      values[i] = flag ? files[i][2].strip() : env.getOrDefault(files[i][1], "").strip();
      names[i] = flag ? files[i][0] : files[i][1];
      if (!values[i].isEmpty()) given++;
    }
    ManagerCredentials credentials = PLAINTEXT;
    if (given == 3) {
      credentials = tls(Path.of(values[0]), Path.of(values[1]), Path.of(values[2]), names);
    } else if (given > 0) {
      for (int i = 0; i < 3; i++) {
        if (values[i].isEmpty()) {
          throw new IllegalArgumentException(files[i][0] + ": missing (or " + files[i][1]
              + "): mutual TLS needs --tls-ca, --tls-cert and --tls-key together");
        }
      }
    }
    String secret = token != null && !token.isBlank() ? token.strip() : env.getOrDefault(ENV_TOKEN, "").strip();
    return secret.isEmpty() ? credentials : credentials.withToken(secret);
  }

  /** The same transport, sending {@code token} with every call ("" sends none). */
  public ManagerCredentials withToken(String token) {
    if (!token.isEmpty() && !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new IllegalArgumentException("token: expected printable ASCII without spaces");
    }
    return new ManagerCredentials(channel, tls, token);
  }

  public boolean isTls() {
    return tls;
  }

  /**
   * A channel to one manager ({@code host:port}); with TLS the manager's certificate must name
   * that host (the server certificates carry 127.0.0.1, localhost and their --ip/--dns).
   */
  public ManagedChannel channel(String address, boolean keepAlive) {
    return configure(Grpc.newChannelBuilder("dns:///" + address, channel), keepAlive);
  }

  /**
   * As {@link #channel(String, boolean)}, its I/O on {@code loop} (NIO), which the caller owns
   * and shuts down after the channel.
   */
  public ManagedChannel channel(String address, boolean keepAlive, EventLoopGroup loop) {
    return configure(NettyChannelBuilder.forTarget("dns:///" + address, channel)
        .eventLoopGroup(loop).channelType(NioSocketChannel.class), keepAlive);
  }

  private ManagedChannel configure(io.grpc.ManagedChannelBuilder<?> builder, boolean keepAlive) {
    if (keepAlive) {
      // A leader cut off without a closed connection (a partition) must not hold a watch for as
      // long as TCP takes to give up. Managers permit pings every 10 s.
      builder.keepAliveTime(10, TimeUnit.SECONDS).keepAliveTimeout(5, TimeUnit.SECONDS).keepAliveWithoutCalls(true);
    }
    if (!token.isEmpty()) builder.intercept(new TokenInterceptor(() -> token));
    return builder.build();
  }

  @Override
  public String toString() {
    return "ManagerCredentials[" + (tls ? "tls" : "plaintext") + (token.isEmpty() ? "" : ", token") + "]";
  }
}
