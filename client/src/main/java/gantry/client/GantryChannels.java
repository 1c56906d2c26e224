package gantry.client;

import gantry.client.balancer.GantryBalancers;
import gantry.client.resolver.GantryNameResolverProvider;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.LoadBalancerRegistry;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.NameResolverRegistry;
import java.util.List;

/**
 * Channels to a Gantry service: target {@code gantry:///SERVICE}, resolved by the given managers'
 * leader, balanced by {@code round_robin}, {@code random} or {@code weighted}. The managers are
 * reached with the given {@link ManagerCredentials} (mutual TLS, token); the channel to the
 * service's own endpoints is plaintext, as the service serves it (add your own credentials with
 * {@link #builder(String, List, String, ManagerCredentials, io.grpc.ChannelCredentials)}).
 *
 * <pre>{@code
 * ManagedChannel channel = GantryChannels.forService("echo", List.of("10.0.0.1:4647", "10.0.0.2:4647"), "weighted");
 * }</pre>
 */
public final class GantryChannels {
  private GantryChannels() {}

  /** {@link #builder} built. */
  public static ManagedChannel forService(String service, List<String> managers, String policy) {
    return builder(service, managers, policy).build();
  }

  /**
   * A builder for callers that add their own settings (interceptors, executor, wait-for-ready).
   * The managers are held by a registry of this channel's own, so several channels in one process
   * may name different clusters.
   *
   * @throws IllegalArgumentException naming the bad argument: an empty or malformed service name,
   *     manager address or unknown policy
   */
  public static ManagedChannelBuilder<?> builder(String service, List<String> managers, String policy) {
    return builder(service, managers, policy, ManagerCredentials.plaintext(), InsecureChannelCredentials.create());
  }

  /**
   * As {@link #builder(String, List, String)}, watching the managers with {@code managerCredentials}
   * credentials and talking to the service's endpoints with {@code endpoints}.
   */
  public static ManagedChannelBuilder<?> builder(String service, List<String> managers, String policy,
      ManagerCredentials managerCredentials, io.grpc.ChannelCredentials endpoints) {
    if (service == null || service.isBlank() || service.contains("/")) {
      throw new IllegalArgumentException("service: expected a service name, got \"" + service + "\"");
    }
    GantryBalancers.register();
    if (LoadBalancerRegistry.getDefaultRegistry().getProvider(policy) == null) {
      throw new IllegalArgumentException("policy: expected one of " + String.join(", ", GantryBalancers.POLICIES)
          + ", got \"" + policy + "\"");
    }
    var registry = new NameResolverRegistry();
    registry.register(new GantryNameResolverProvider(managers, managerCredentials));
    return Grpc.newChannelBuilder(GantryNameResolverProvider.SCHEME + ":///" + service, endpoints, registry)
        .defaultLoadBalancingPolicy(policy);
  }
}
