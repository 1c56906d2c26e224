package gantry.client.balancer;

import io.grpc.LoadBalancerProvider;
import io.grpc.LoadBalancerRegistry;
import java.util.List;

/**
 * The policies a {@code gantry:///} channel may name. {@code random} and {@code weighted} are
 * registered through META-INF/services; {@link #register()} does it by hand for a class path
 * where that file is lost (a fat jar built without merging service files). {@code round_robin} is
 * gRPC's own (grpc-util).
 */
public final class GantryBalancers {
  public static final String ROUND_ROBIN = "round_robin";
  public static final List<String> POLICIES = List.of(ROUND_ROBIN, RandomLoadBalancerProvider.POLICY, WeightedLoadBalancerProvider.POLICY);

  private GantryBalancers() {}

  /** Registers ours in the default registry unless a provider of that name is already there. */
  public static synchronized void register() {
    LoadBalancerRegistry registry = LoadBalancerRegistry.getDefaultRegistry();
    for (LoadBalancerProvider provider : List.of(new RandomLoadBalancerProvider(), new WeightedLoadBalancerProvider())) {
      if (registry.getProvider(provider.getPolicyName()) == null) registry.register(provider);
    }
  }
}
