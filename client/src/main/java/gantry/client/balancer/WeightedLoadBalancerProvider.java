package gantry.client.balancer;

import io.grpc.LoadBalancer;
import io.grpc.LoadBalancerProvider;

/**
 * Policy {@code weighted}: READY endpoint i gets w_i / sum w_j of the calls, w_i from the
 * {@link gantry.client.EndpointAttributes#WEIGHT} attribute (1 when absent), in the smooth order
 * of {@link SmoothWeightedPicker}.
 */
public final class WeightedLoadBalancerProvider extends LoadBalancerProvider {
  public static final String POLICY = "weighted";

  @Override
  public LoadBalancer newLoadBalancer(LoadBalancer.Helper helper) {
    return new EndpointBalancer(helper, SmoothWeightedPicker::new);
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
