package gantry.client.balancer;

import io.grpc.LoadBalancer;
import io.grpc.LoadBalancerProvider;
import java.util.concurrent.ThreadLocalRandom;

/** Policy {@code random}: each call to a READY endpoint drawn uniformly, weights ignored. */
public final class RandomLoadBalancerProvider extends LoadBalancerProvider {
  public static final String POLICY = "random";

  @Override
  public LoadBalancer newLoadBalancer(LoadBalancer.Helper helper) {
    return new EndpointBalancer(helper, ready -> new RandomPicker(ready, ThreadLocalRandom::current));
  }

  @Override
  public boolean isAvailable() {
    return true;
  }

  @Override
  public int getPriority() {
    return 5;
  }

  @Override
  public String getPolicyName() {
    return POLICY;
  }
}
