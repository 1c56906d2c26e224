package gantry.client.resolver;

import gantry.client.ManagerAddresses;
import gantry.client.ManagerCredentials;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * The {@code gantry} scheme: target {@code gantry:///SERVICE} resolves to the endpoints of the
 * service as the managers' leader pushes them (see {@link ServiceWatchResolver}).
 *
 * <p>Constructed with the managers to ask ({@code host:port} each). The public no-argument
 * constructor, which the default {@link io.grpc.NameResolverRegistry} finds through
 * META-INF/services, reads {@code GANTRY_ADDR} when a channel is built and is available only
 * while that variable is set; {@link #fromEnvironment()} reads it at once and fails if it is not.
 */
public final class GantryNameResolverProvider extends NameResolverProvider {
  public static final String SCHEME = "gantry";
  static final Duration INITIAL_BACKOFF = Duration.ofMillis(100);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(2);

  private final Supplier<List<String>> managers;
  private final Supplier<ManagerCredentials> credentials;
  private final boolean available;

  /** Plaintext, no token. @throws IllegalArgumentException naming the malformed address, or on an empty list */
  public GantryNameResolverProvider(List<String> managers) {
    this(managers, ManagerCredentials.plaintext());
  }

  /**
   * Watches through channels with {@code credentials} (mutual TLS, token).
   *
   * @throws IllegalArgumentException naming the malformed address, or on an empty list
   */
  public GantryNameResolverProvider(List<String> managers, ManagerCredentials credentials) {
    if (managers.isEmpty()) throw new IllegalArgumentException("managers: expected at least one host:port");
    List<String> checked = managers.stream().map(m -> ManagerAddresses.check("managers", m.strip())).toList();
    this.managers = () -> checked;
    this.credentials = () -> credentials;
    this.available = true;
  }

  /**
   * For the default registry (ServiceLoader): the managers of {@code GANTRY_ADDR}, and TLS and
   * token from {@code GANTRY_TLS_CA/CERT/KEY} and {@code GANTRY_TOKEN}, read per channel.
   */
  public GantryNameResolverProvider() {
    this.managers = () -> ManagerAddresses.parse(ManagerAddresses.ENV, System.getenv(ManagerAddresses.ENV));
    this.credentials = () -> ManagerCredentials.of(null, null, null, null, System.getenv());
    String env = System.getenv(ManagerAddresses.ENV);
    this.available = env != null && !env.isBlank();
  }

  /**
   * The managers of {@code GANTRY_ADDR} (comma-separated host:port).
   *
   * @throws IllegalArgumentException naming GANTRY_ADDR when it is unset or malformed
   */
  public static GantryNameResolverProvider fromEnvironment() {
    return new GantryNameResolverProvider(ManagerAddresses.parse(ManagerAddresses.ENV, System.getenv(ManagerAddresses.ENV)),
        ManagerCredentials.of(null, null, null, null, System.getenv()));
  }

  /**
   * @throws IllegalArgumentException on a target that is not {@code gantry:///SERVICE} (an
   *     authority, an empty name, a path with more than one segment); the channel builder passes
   *     it on
   */
  @Override
  public NameResolver newNameResolver(URI target, NameResolver.Args args) {
    if (!SCHEME.equals(target.getScheme())) return null;
    return new ServiceWatchResolver(serviceName(target), managers.get(), credentials.get(), args,
        new Backoff(INITIAL_BACKOFF, MAX_BACKOFF));
  }

  static String serviceName(URI target) {
    String path = target.getPath();
    if (target.getAuthority() != null && !target.getAuthority().isEmpty()) {
      throw new IllegalArgumentException("target " + target + ": expected gantry:///SERVICE (the managers are the provider's, not an authority)");
    }
    if (path == null || path.length() < 2 || path.indexOf('/', 1) >= 0 || target.getQuery() != null) {
      throw new IllegalArgumentException("target " + target + ": expected gantry:///SERVICE");
    }
    return path.substring(1);
  }

  @Override
  public String getDefaultScheme() {
    return SCHEME;
  }

  @Override
  protected boolean isAvailable() {
    return available;
  }

  @Override
  protected int priority() {
    return 5;
  }

  @Override
  public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
    return List.of(InetSocketAddress.class);
  }
}
