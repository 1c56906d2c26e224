package gantry.client.balancer;

import io.grpc.LoadBalancer.SubchannelPicker;
import java.util.List;

/** How a policy spreads calls over the READY endpoints: one picker per set of them. */
@FunctionalInterface
public interface PickerFactory {
  /** @param ready never empty, in the resolver's order */
  SubchannelPicker picker(List<ReadyEndpoint> ready);
}
